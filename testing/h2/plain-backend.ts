/**
 * A plain HTTP/2 (h2c) backend on node:http2 for the router's end-to-end tests with curl and
 * nghttp, in the test's process. The first path segment is the service (the router's
 * `io.l5d.header.path` with `segments: 1`); the second says what to answer:
 *
 * - `/S/trailers`: 200, body `hello`, then trailers `x-checksum` (sha256 of the body) and
 *   `x-end: yes`;
 * - `/S/empty`: 204, no body (one HEADERS frame with END_STREAM);
 * - `/S/bytes/N`: 200 with N bytes of `pattern(N)`, written only as fast as the stream takes
 *   them (`sent` counts the bytes written so far); to HEAD, the head alone with content-length N;
 * - `/S/upload` (POST): the request body's length and sha256 as JSON.
 */
import { createServer, type Http2Server, type ServerHttp2Stream } from 'node:http2'
import type { IncomingHttpHeaders } from 'node:http2'
import type { AddressInfo } from 'node:net'
import { pattern, sha256 } from '../grpc/echo-service.js'

/** Each write of a large body: 64 KiB, so that flow control is felt write by write. */
const CHUNK = 64 * 1024

export class PlainH2Backend {
  /** Body bytes of `/bytes/N` answers written so far (accepted by their streams). */
  sent = 0

  private constructor(
    private readonly server: Http2Server,
    readonly port: number,
  ) {}

  /** Listens on a free 127.0.0.1 port. */
  static async start(): Promise<PlainH2Backend> {
    const server = createServer()
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const backend = new PlainH2Backend(server, (server.address() as AddressInfo).port)
    server.on('stream', (stream, headers) => backend.#answer(stream, headers))
    return backend
  }

  /** Stops listening and closes every session. */
  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()))
  }

  #answer(stream: ServerHttp2Stream, headers: IncomingHttpHeaders): void {
    stream.on('error', () => undefined)
    const [, , what, arg] = (headers[':path'] ?? '').split('?')[0]?.split('/') ?? []
    if (what === 'trailers') return trailers(stream)
    if (what === 'empty') return void stream.respond({ ':status': 204 }, { endStream: true })
    if (what === 'upload') return upload(stream)
    if (what === 'bytes') return this.#bytes(stream, Number(arg), headers[':method'] === 'HEAD')
    stream.respond({ ':status': 404 }, { endStream: true })
  }

  #bytes(stream: ServerHttp2Stream, n: number, head: boolean): void {
    stream.respond({ ':status': 200, 'content-length': String(n) }, { endStream: head })
    if (head) return
    const body = pattern(n)
    let at = 0
    const more = (): void => {
      while (at < n && !stream.destroyed) {
        const chunk = body.subarray(at, at + CHUNK)
        at += chunk.length
        this.sent += chunk.length
        if (at === n) return void stream.end(chunk)
        if (!stream.write(chunk)) return void stream.once('drain', more)
      }
    }
    more()
  }
}

function trailers(stream: ServerHttp2Stream): void {
  const body = Buffer.from('hello')
  stream.respond({ ':status': 200, 'content-type': 'text/plain' }, { waitForTrailers: true })
  stream.once('wantTrailers', () =>
    stream.sendTrailers({ 'x-checksum': sha256(body), 'x-end': 'yes' }),
  )
  stream.end(body)
}

function upload(stream: ServerHttp2Stream): void {
  const chunks: Buffer[] = []
  stream.on('data', (c: Buffer) => chunks.push(c))
  stream.on('end', () => {
    const body = Buffer.concat(chunks)
    stream.respond({ ':status': 200, 'content-type': 'application/json' })
    stream.end(JSON.stringify({ bytes: body.length, sha256: sha256(body) }))
  })
}
