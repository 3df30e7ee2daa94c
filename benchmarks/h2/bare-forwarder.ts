/**
 * The bare `node:http2` forwarder, one process, no routing: `node bare-forwarder.js <upstream
 * port>`. h2c in; every stream is sent on one pooled h2c session to the upstream (opened on
 * first use, opened again once it closes), with its headers as they came, the request body
 * piped with flow control, the answer's headers, body and trailers passed back, and a reset
 * on either side passed to the other. It is the least a Node h2 → h2 proxy does: the bar the
 * router must reach. Its sessions both ways open the router's 16 MiB connection window (Node's is
 * 64 KiB), so the bar stays fair. Sends `{port}` over IPC once listening.
 */
import {
  connect,
  constants,
  createServer,
  type ClientHttp2Session,
  type IncomingHttpHeaders,
  type ServerHttp2Stream,
} from 'node:http2'
import type { AddressInfo } from 'node:net'
import { CONNECTION_WINDOW_BYTES } from '../../router/h2/settings.js'
import { MANY_STREAMS } from './settings.js'

const upstreamPort = Number(process.argv[2])
let session: ClientHttp2Session | undefined

function upstream(): ClientHttp2Session {
  if (session !== undefined && !session.closed && !session.destroyed) return session
  const s = connect(`http://127.0.0.1:${upstreamPort}`, MANY_STREAMS)
  s.on('error', () => {}) // its streams fail with it; the next stream opens a new session
  s.once('connect', () => s.setLocalWindowSize(CONNECTION_WINDOW_BYTES))
  s.once('close', () => {
    if (session === s) session = undefined
  })
  session = s
  return s
}

function forward(stream: ServerHttp2Stream, headers: IncomingHttpHeaders): void {
  const endStream = stream.endAfterHeaders
  const out = upstream().request(headers, { endStream })
  if (!endStream) stream.pipe(out)
  let trailers: IncomingHttpHeaders | undefined
  out.once('response', (head) => {
    // Whether trailers come is known only at the end; with none, Node ends the stream with an
    // empty DATA frame instead.
    stream.respond(head, { waitForTrailers: true })
    stream.once('wantTrailers', () => stream.sendTrailers(trailers ?? {}))
    out.pipe(stream)
  })
  out.once('trailers', (t) => (trailers = t))
  out.once('close', () => {
    if (!stream.closed && out.rstCode !== constants.NGHTTP2_NO_ERROR) stream.close(out.rstCode)
  })
  stream.once('close', () => {
    if (!out.closed) out.close(stream.rstCode ?? constants.NGHTTP2_CANCEL)
  })
  out.on('error', () => {}) // the close above passes the reset on
  stream.on('error', () => {})
}

const server = createServer(MANY_STREAMS)
server.on('session', (s) => s.setLocalWindowSize(CONNECTION_WINDOW_BYTES))
server.on('stream', forward)
server.listen(0, '127.0.0.1', () =>
  process.send?.({ port: (server.address() as AddressInfo).port }),
)
// Exits through process.exit on SIGTERM, so that a profile taken with --cpu-prof is written.
process.once('SIGTERM', () => process.exit(0))
