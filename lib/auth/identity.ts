/**
 * An allow-list of client certificate names (mTLS identities), alone or beside a bearer token:
 * namerd's protected API routes. The names of a connection's verified certificate are taken once
 * per TLS connection and kept with its socket; every request on it reuses them.
 */
import type { Socket } from 'node:net'
import { TLSSocket } from 'node:tls'
import { peerIdentity } from '../tls/server.js'
import { AuthError, bearerOf, type BearerGuard } from './bearer.js'

/** What guards a route: the request's `Authorization` header and its connection's socket. */
export interface Guard {
  /**
   * Throws `AuthError` unless the request may pass; returns who passed: the allowed client
   * certificate name it matched, or `token` for the bearer token (which names nobody).
   */
  check(authorization: string | undefined, socket: Socket): string
}

/** Each TLS connection's verified certificate names (undefined: none), taken once. */
const identities = new WeakMap<Socket, readonly string[] | undefined>()

/** The names of the socket's verified client certificate, read at most once per connection. */
export function identityOf(socket: Socket): readonly string[] | undefined {
  if (!(socket instanceof TLSSocket)) return undefined
  if (!identities.has(socket)) identities.set(socket, peerIdentity(socket))
  return identities.get(socket)
}

/**
 * Lets a request through when its client certificate carries one of `allowed`, or when it
 * carries `token`'s bearer token. A verified certificate outside the list is 403 naming it
 * (unless a right token is also sent); nothing to go by is 401.
 */
export class IdentityGuard implements Guard {
  readonly #allowed: ReadonlySet<string>

  constructor(
    allowed: readonly string[],
    private readonly token?: BearerGuard,
  ) {
    this.#allowed = new Set(allowed)
  }

  check(authorization: string | undefined, socket: Socket): string {
    const names = identityOf(socket)
    const allowed = names?.find((n) => this.#allowed.has(n))
    if (allowed !== undefined) return allowed
    const bearer = bearerOf(authorization)
    if (this.token !== undefined && bearer !== undefined) return this.token.check(authorization)
    if (names !== undefined) {
      throw new AuthError(
        'ERR_FORBIDDEN',
        `the client certificate's identity (${names.join(', ') || 'no name'}) is not in this route's allow-list`,
      )
    }
    const or = this.token === undefined ? '' : ' or send "Authorization: Bearer <token>"'
    throw new AuthError(
      'ERR_UNAUTHENTICATED',
      `authentication required: present an allowed client certificate${or}`,
    )
  }
}
