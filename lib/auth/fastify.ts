import type { FastifyReply, FastifyRequest } from 'fastify'
import { AuthError } from './bearer.js'
import type { Guard } from './identity.js'

/**
 * A fastify `onRequest` hook that lets a request through only with `guard`'s token (or, for an
 * `IdentityGuard`, an allowed client certificate). A refusal
 * is thrown for the server's one error handler to answer (401 with `WWW-Authenticate: Bearer`
 * when no token was sent, 403 for a wrong one); the handler never runs.
 */
export function requireBearer(guard: Guard) {
  return async function checkBearer(req: FastifyRequest, reply: FastifyReply): Promise<void> {
    try {
      ;(req.raw as Checked)[WHO] = guard.check(req.headers.authorization, req.socket)
    } catch (e) {
      if (e instanceof AuthError && e.code === 'ERR_UNAUTHENTICATED')
        reply.header('www-authenticate', 'Bearer')
      throw e
    }
  }
}

const WHO = Symbol('authenticated as')

/** A request that passed a guard, with who it was. */
interface Checked {
  [WHO]?: string
}

/**
 * Who `req` was let through as by `requireBearer` (Guard.check's answer: a client certificate
 * name, or `token`); undefined when its route was open.
 */
export function authenticatedAs(req: FastifyRequest): string | undefined {
  return (req.raw as Checked)[WHO]
}
