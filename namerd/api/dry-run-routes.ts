/**
 * The dry run of a dtab change (ours; linkerd has none): `POST /api/1/dtabs/<ns>/dry-run` with a
 * proposed dtab as body (as PUT takes it) answers what it would do to the names routers use now
 * (dry-run.ts). It writes nothing, so it needs what reads need, not what writes need (server.ts):
 * a reviewer with a read token can preview a change, and it reveals only what bind already does.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { ApiContext } from './context.js'
import { decodeDtab } from './dtab-codec.js'
import { bodyText, namespaceOf } from './dtabs-routes.js'
import { dryRun } from './dry-run.js'

type NsRequest = FastifyRequest<{ Params: { ns: string } }>

/** The route config that makes a non-GET route need read access only (server.ts's protectApi). */
export const READ_ONLY = { readOnly: true } as const

export function dryRunRoutes(app: FastifyInstance, cx: ApiContext): void {
  app.post('/api/1/dtabs/:ns/dry-run', { config: READ_ONLY }, async (req: NsRequest, reply) => {
    const ns = namespaceOf(req)
    const proposed = decodeDtab(bodyText(req), req.headers['content-type'])
    reply.type('application/json').send(`${JSON.stringify(await dryRun(cx, ns, proposed))}\n`)
  })
}
