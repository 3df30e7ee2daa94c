import type { FastifyInstance } from 'fastify'
import type { NamerdDtab } from '../interpreters/namerd-http/state.js'

/** What the admin needs of a router to show its dtab in force. */
export interface DtabSource {
  readonly label: string
  /** The router's configured `dtab`, in show form. */
  readonly dtab?: () => string
  /** With an `io.l5d.namerd.http` interpreter: namerd's dtab, which comes first. */
  readonly namerdDtab?: () => Promise<NamerdDtab | undefined>
}

/**
 * `GET /admin/dtabs.json`: per router, in config order, the dtab in force: namerd's (when the
 * router follows one: its namespace, stream state, text, last change, and the version namerd
 * holds, asked now with a 2 s limit) and then the router's
 * own `dtab`, which delegation appends after it (the playground's "dtab in force").
 */
export function dtabsRoutes(app: FastifyInstance, routers: readonly DtabSource[]): void {
  app.get('/admin/dtabs.json', async () => ({
    routers: await Promise.all(
      routers.map(async (r) => {
        const namerd = await r.namerdDtab?.()
        const dtab = r.dtab?.() ?? ''
        return { label: r.label, dtab, ...(namerd === undefined ? {} : { namerd }) }
      }),
    ),
  }))
}
