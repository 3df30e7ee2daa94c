import type { FastifyInstance, HTTPMethods } from 'fastify'
import { AdminError } from './errors.js'

const METHODS: readonly HTTPMethods[] = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS']

/**
 * Answers 405 (with `Allow`) for the usual methods that `url` does not take. Register after the
 * real routes' methods are known; HEAD counts as taken when GET is (fastify answers it).
 */
export function refuseOtherMethods(
  app: FastifyInstance,
  url: string,
  allowed: readonly HTTPMethods[],
): void {
  const taken = allowed.includes('GET') ? [...allowed, 'HEAD'] : allowed
  const others = METHODS.filter((m) => !taken.includes(m))
  app.route({
    method: [...others],
    url,
    handler: function methodNotAllowed(req) {
      throw new AdminError('ERR_ADMIN_METHOD', `${req.method} is not allowed on ${url}`, {
        allow: allowed,
      })
    },
  })
}
