import type { FastifyInstance } from 'fastify'

/**
 * `GET /admin/ping`: 200 `pong` (liveness). `GET /admin/ready`: 200 `ready` once `isReady()`
 * is true, else 503 `not ready` (readiness: the router has bound its servers and loaded its
 * dtabs). Both text/plain.
 */
export function healthRoutes(app: FastifyInstance, deps: { isReady: () => boolean }): void {
  app.get('/admin/ping', function ping(_req, reply) {
    return reply.type('text/plain; charset=utf-8').send('pong')
  })
  app.get('/admin/ready', function ready(_req, reply) {
    const ok = deps.isReady()
    return reply
      .code(ok ? 200 : 503)
      .type('text/plain; charset=utf-8')
      .send(ok ? 'ready' : 'not ready')
  })
}
