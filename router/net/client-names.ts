/**
 * A router server's `tls.clientNames`: which verified clients it routes for, whatever the
 * protocol. The decision is taken once per connection, when its handshake is done: a client
 * whose certificate carries none of the names keeps its connection, but every request on it is
 * answered 403 `ERR_PEER_NOT_ALLOWED` by the server alone (a clear answer, as an authorization
 * policy gives, rather than a reset the client cannot explain). Allowed connections are not
 * touched: their requests go to the router exactly as without `clientNames`.
 */
import type { Socket } from 'node:net'
import { TLSSocket } from 'node:tls'
import { peerIdentity } from '../../lib/tls/server.js'
import { statusOf } from '../errors.js'
import { encodeErrHeader } from '../core/headers.js'

/** Names shown in a refusal, at most (a certificate may carry many). */
const SHOWN_NAMES = 8

/**
 * The check of `clientNames` (undefined without them): for a refused connection, the message
 * of its refusal (and `refused` is called once); for an allowed one, undefined.
 */
export function clientNamesCheck(
  clientNames: readonly string[] | undefined,
  refused: (identity: readonly string[]) => void,
): ((socket: Socket) => string | undefined) | undefined {
  if (clientNames === undefined) return undefined
  const allowed = new Set(clientNames)
  return (socket) => {
    const identity = socket instanceof TLSSocket ? (peerIdentity(socket) ?? []) : []
    if (identity.some((name) => allowed.has(name))) return undefined
    refused(identity)
    return notAllowed(identity)
  }
}

/** The message of a refusal: the names the certificate carries, and why they do not do. */
function notAllowed(identity: readonly string[]): string {
  const shown = identity.slice(0, SHOWN_NAMES).map((n) => JSON.stringify(n))
  if (identity.length > SHOWN_NAMES) shown.push(`… ${identity.length - SHOWN_NAMES} more`)
  const names = shown.length === 0 ? 'no name' : shown.join(', ')
  return `client certificate (${names}) is not allowed here: none of its names is in this server's tls.clientNames`
}

/** The answer to every request of a refused connection: 403, `l5d-err` and the message. */
export interface Refusal {
  readonly status: number
  /** Flat `[name, value, …]`, lower-case names. */
  readonly fields: readonly string[]
  readonly body: Buffer
}

/** The 403 answer saying `message` (see Refusal). */
export function notAllowedAnswer(message: string): Refusal {
  const body = Buffer.from(`${message}\n`)
  const fields = [
    'content-type',
    'text/plain; charset=utf-8',
    'l5d-err',
    encodeErrHeader(message),
    'content-length',
    String(body.length),
  ]
  return { status: statusOf('ERR_PEER_NOT_ALLOWED'), fields, body }
}
