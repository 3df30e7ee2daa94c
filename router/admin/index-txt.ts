import type { FastifyInstance, FastifyReply } from 'fastify'

/**
 * `GET /admin` and `GET /admin/index.txt`: the endpoints served, one per line, sorted
 * (TwitterServer's index). `endpoints` is read at request time, so it lists every route
 * registered by then.
 */
export function indexRoutes(app: FastifyInstance, deps: { endpoints: () => string[] }): void {
  const index = function adminIndex(_req: unknown, reply: FastifyReply) {
    return reply.type('text/plain; charset=utf-8').send(deps.endpoints().join('\n') + '\n')
  }
  app.get('/admin', index)
  app.get('/admin/index.txt', index)
}
