import type { FastifyInstance } from 'fastify'

/**
 * `GET /config.json`: the loaded configuration echoed back (the dashboard reads router labels
 * and dtabs from it). `GET /bound-names.json`: every concrete name the enumerating namers know,
 * a JSON array.
 */
export function infoRoutes(
  app: FastifyInstance,
  deps: { config: unknown; boundNames: () => readonly string[] },
): void {
  app.get('/config.json', function configJson(_req, reply) {
    return reply.type('application/json; charset=utf-8').send(JSON.stringify(deps.config ?? null))
  })
  app.get('/bound-names.json', function boundNames(_req, reply) {
    return reply.type('application/json; charset=utf-8').send(JSON.stringify(deps.boundNames()))
  })
}
