/**
 * A request received on an HTTP/2 stream, as the routing core reads it (`RequestIn`): Node's
 * raw header list with its pseudo-header fields (the core drops them from what it forwards and
 * takes `:authority` as the host), `:method` and `:path`, and the stream itself as the body (its
 * readable side: reading it opens the client's flow-control window, so a slow upstream slows the
 * client down). `bodyFollows` when the HEADERS frame did not end the stream.
 */
import { constants, type IncomingHttpHeaders, type ServerHttp2Stream } from 'node:http2'
import type { RequestIn } from '../core/call.js'

/** Where a stream's session comes from (read once per session, not per stream). */
export interface Peer {
  readonly remoteAddress: string | undefined
  readonly remotePort: number | undefined
}

/** The request of `stream` (see the file header). */
export function inboundRequest(
  stream: ServerHttp2Stream,
  headers: IncomingHttpHeaders,
  flags: number,
  rawHeaders: readonly string[],
  peer: Peer,
): RequestIn {
  return {
    method: headers[':method'] ?? 'GET',
    url: headers[':path'] ?? '',
    httpVersion: '2.0',
    headers,
    rawHeaders,
    remoteAddress: peer.remoteAddress,
    remotePort: peer.remotePort,
    body: stream,
    bodyFollows: (flags & constants.NGHTTP2_FLAG_END_STREAM) === 0,
  }
}
