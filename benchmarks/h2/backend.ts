/**
 * The HTTP/2 benchmark's backend, one process: `node backend.js <h2c|http1> [--trailers]`.
 * Answers every request with 200 and a fixed body chosen by the path: `/16k…` 16 KiB, anything
 * else 100 bytes (as the proxy benchmark's backend). `/hold…` (h2c only) answers the headers
 * at once and keeps the stream open until the client goes away: the open streams of the
 * 10,000-stream measurement. With `--trailers`, h2c answers end with gRPC-like trailers
 * (`grpc-status: 0`, `grpc-message`). Sends `{port}` over IPC once listening; answers
 * `{held}` (streams held open now) to any IPC message.
 */
import { createServer as createH1, type Server as H1Server } from 'node:http'
import {
  createServer as createH2,
  type Http2Server,
  type IncomingHttpHeaders,
  type ServerHttp2Stream,
} from 'node:http2'
import type { AddressInfo } from 'node:net'
import { MANY_STREAMS } from './settings.js'

/** The body answered on `path`. */
function bodyFor(path: string): Buffer {
  return path.startsWith('/16k') ? LARGE : SMALL
}
const SMALL = Buffer.alloc(100, 'x')
const LARGE = Buffer.alloc(16 * 1024, 'y')

let held = 0

function answer(stream: ServerHttp2Stream, headers: IncomingHttpHeaders, trailers: boolean): void {
  stream.resume()
  stream.on('error', () => {}) // a reset by the proxy is what the held streams end with
  const path = headers[':path'] ?? '/'
  if (path.startsWith('/hold')) return hold(stream)
  const body = bodyFor(path)
  const head = { ':status': 200, 'content-type': 'text/plain', 'content-length': body.length }
  stream.respond(head, { waitForTrailers: trailers })
  if (trailers)
    stream.once('wantTrailers', () =>
      stream.sendTrailers({ 'grpc-status': '0', 'grpc-message': 'OK' }),
    )
  stream.end(body)
}

function hold(stream: ServerHttp2Stream): void {
  held++
  stream.once('close', () => held--)
  stream.respond({ ':status': 200, 'content-type': 'text/plain' })
}

function h2c(trailers: boolean): Http2Server {
  const server = createH2(MANY_STREAMS)
  server.on('stream', (stream, headers) => answer(stream, headers, trailers))
  return server
}

function http1(): H1Server {
  const server = createH1((req, res) => {
    req.resume()
    const body = bodyFor(req.url ?? '/')
    res.writeHead(200, ['content-type', 'text/plain', 'content-length', String(body.length)])
    res.end(body)
  })
  server.keepAliveTimeout = 65_000
  return server
}

const [protocol = 'h2c', ...flags] = process.argv.slice(2)
const server = protocol === 'http1' ? http1() : h2c(flags.includes('--trailers'))
process.on('message', () => process.send?.({ held }))
server.listen(0, '127.0.0.1', () =>
  process.send?.({ port: (server.address() as AddressInfo).port }),
)
