/**
 * `tls.clientNames` on the HTTP/1.1 server (router/net/client-names.ts decides): every request
 * of a refused connection is answered 403 `ERR_PEER_NOT_ALLOWED`, and the connection stays open
 * for the next.
 */
import type { Socket } from 'node:net'
import { clientNamesCheck, notAllowedAnswer } from '../net/client-names.js'
import type { InboundRequest } from './inbound.js'
import type { OutboundResponse } from './outbound.js'
import type { RequestListener } from './server.js'

/**
 * The server's gate for `clientNames` (undefined without them): for a refused connection, the
 * listener that answers its requests (and `refused` is called once); for an allowed one,
 * undefined.
 */
export function clientNamesGate(
  clientNames: readonly string[] | undefined,
  refused: (identity: readonly string[]) => void,
): ((socket: Socket) => RequestListener | undefined) | undefined {
  return refusing(clientNamesCheck(clientNames, refused))
}

/** The gate of a `clientNames` check (see clientNamesGate). */
export function refusing(
  check: ((socket: Socket) => string | undefined) | undefined,
): ((socket: Socket) => RequestListener | undefined) | undefined {
  if (check === undefined) return undefined
  return (socket) => {
    const message = check(socket)
    return message === undefined ? undefined : refuseAll(message)
  }
}

/** Answers every request with 403 and `message`; the connection stays open for the next. */
function refuseAll(message: string): RequestListener {
  const { status, fields, body } = notAllowedAnswer(message)
  return (req: InboundRequest, res: OutboundResponse) => {
    req.discardBody()
    res.writeHead(status, fields)
    res.end(body)
  }
}
