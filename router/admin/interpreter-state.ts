import type { FastifyInstance } from 'fastify'
import { AdminError } from './errors.js'

/** What the admin server needs of a router's interpreter to show its watches. */
export interface InterpreterStateSource {
  readonly label: string
  /** The interpreter's state, `{kind, namespace, …}`, or undefined when it has none. */
  readonly interpreterState?: () =>
    { readonly kind: string; readonly namespace: string } | undefined
}

/**
 * linkerd's `GET /<router>/interpreter_state/<kind>/<namespace>.json` (what a namerd
 * interpreter watches: each name, its value, when it last changed, the stream's state), and
 * `GET /interpreter_state.json` with every router's. 404 for a router, kind or namespace that
 * does not match.
 */
export function interpreterStateRoutes(
  app: FastifyInstance,
  routers: readonly InterpreterStateSource[],
): void {
  app.get('/interpreter_state.json', async () =>
    Object.fromEntries(routers.map((r) => [r.label, r.interpreterState?.() ?? null])),
  )
  app.get('/:router/interpreter_state/:kind/:file', async (req) => {
    const { router, kind, file } = req.params as Record<string, string>
    const state = routers.find((r) => r.label === router)?.interpreterState?.()
    if (state === undefined || state.kind !== kind || file !== `${state.namespace}.json`) {
      throw new AdminError(
        'ERR_ADMIN_NOT_FOUND',
        `no interpreter state at /${router}/interpreter_state/${kind}/${file}`,
      )
    }
    return state
  })
}
