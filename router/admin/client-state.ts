import type { FastifyInstance } from 'fastify'
import type { ClientHealth } from '../accrual/index.js'

/** What the admin server needs of a router to show its clients' endpoint health. */
export interface ClientStateSource {
  readonly label: string
  /** Each client's endpoints (alive, dead until when, probing) and panic, by client id. */
  readonly clientState?: () => Readonly<Record<string, ClientHealth>>
}

/**
 * `GET /client_state.json`: per router, per client (bound id), whether it is in panic (every
 * endpoint marked dead, so all are used anyway) and each endpoint's `state` (`alive`, `dead`,
 * `probing`), `until` (ISO time a dead one is next probed), `failures` since its last success,
 * its `weight` and its `load` (requests in flight).
 */
export function clientStateRoutes(
  app: FastifyInstance,
  routers: readonly ClientStateSource[],
): void {
  app.get('/client_state.json', async () =>
    Object.fromEntries(routers.map((r) => [r.label, r.clientState?.() ?? {}])),
  )
}
