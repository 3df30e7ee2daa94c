/**
 * Dtab history (an extension of linkerd's API; its routes are unchanged): `GET
 * /api/1/dtabs/<ns>/history` lists a namespace's past values, oldest first, with who made each
 * change when writes are authenticated and why (writer.ts).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { HistoryEntry } from '../storage/backend.js'
import type { ApiContext } from './context.js'
import { namespaceOf } from './dtabs-routes.js'
import { ApiError } from './errors.js'
import type { Query } from './query.js'

/** One past value as the API shows it. */
export interface HistoryJson {
  readonly version: string
  /** The dtab as text; null: the namespace was deleted. */
  readonly dtab: string | null
  /** When namerd made the change (ISO 8601, UTC). */
  readonly at: string
  readonly by?: string
  readonly message?: string
}

type NsRequest = FastifyRequest<{ Params: { ns: string }; Querystring: Query }>

/** `GET /api/1/dtabs/<ns>/history`: 404 for a namespace that has neither a value nor a past. */
export function historyRoutes(app: FastifyInstance, cx: ApiContext): void {
  app.get('/api/1/dtabs/:ns/history', async (req: NsRequest, reply) => {
    const ns = namespaceOf(req)
    const entries = await cx.store.history(ns)
    if (entries.length === 0 && (await cx.store.get(ns)).type === 'absent')
      throw new ApiError('ERR_NAMESPACE_NOT_FOUND', `dtab ${ns} not found`)
    reply.type('application/json').send(`${JSON.stringify(entries.map(historyJson))}\n`)
  })
}

/** The API's form of an entry. */
export function historyJson(e: HistoryEntry): HistoryJson {
  return {
    version: e.version,
    dtab: e.text ?? null,
    at: new Date(e.at).toISOString(),
    ...(e.by === undefined ? {} : { by: e.by }),
    ...(e.message === undefined ? {} : { message: e.message }),
  }
}
