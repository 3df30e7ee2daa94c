/**
 * Test support for the HTTP/2 upstream (router/h2/sessions.ts): real node:http2 servers as
 * endpoints, and a handler that records what the connector reports for one request.
 */
import type { ExecutionContext } from 'ava'
import {
  createServer,
  type Http2Session,
  type Settings,
  type SecureServerOptions,
  type ServerHttp2Stream,
  type IncomingHttpHeaders,
  createSecureServer,
} from 'node:http2'
import type { Socket } from 'node:net'
import type { ResponseHandler, Upstream, UpstreamRequest } from '../../router/core/handler.js'
import type { Endpoint } from '../../router/model.js'

/** A running h2 endpoint. */
export interface H2Endpoint {
  readonly endpoint: Endpoint
  /** Every session the endpoint accepted, in order. */
  readonly sessions: Http2Session[]
  /** Their sockets (to cut one from under its session). */
  readonly sockets: Socket[]
}

export type OnStream = (stream: ServerHttp2Stream, headers: IncomingHttpHeaders) => void

/**
 * An h2c endpoint on 127.0.0.1 calling `onStream` for each request (with `tls`: h2 over TLS),
 * closed when the test ends.
 */
export async function h2Endpoint(
  t: ExecutionContext,
  onStream: OnStream,
  o: { settings?: Settings; tls?: SecureServerOptions } = {},
): Promise<H2Endpoint> {
  const options = { settings: o.settings ?? {}, maxSessionMemory: 64 }
  const server =
    o.tls === undefined ? createServer(options) : createSecureServer({ ...options, ...o.tls })
  const sessions: Http2Session[] = []
  const sockets: Socket[] = []
  server.on(o.tls === undefined ? 'connection' : 'secureConnection', (s: Socket) => sockets.push(s))
  server.on('session', (s) => {
    sessions.push(s)
    s.on('error', () => {})
  })
  server.on('stream', (stream, headers) => {
    stream.on('error', () => {})
    onStream(stream, headers)
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  t.teardown(() => {
    for (const s of sessions) s.destroy()
    server.close()
  })
  const port = (server.address() as { port: number }).port
  return { endpoint: endpointAt(port), sessions, sockets }
}

/** The core's endpoint record for 127.0.0.1:`port`. */
export function endpointAt(port: number): Endpoint {
  return { key: `127.0.0.1:${port}`, host: '127.0.0.1', port, weight: 1, pending: 0 }
}

/** What the connector reported for one request. */
export interface Outcome {
  status: number
  fields: string[]
  body: Buffer
  trailers?: string[]
  error?: Error & { code?: string; unsent?: boolean; rstCode?: number }
}

/** How a test drives the handler. */
export interface Driving {
  /** Called with the abort `onConnect` gave (the latest one). */
  onAbort?: (abort: (err: Error) => void) => void
  /** Called on the head; return false to pause. */
  onHeaders?: (status: number, resume: () => void) => boolean
  /** Called on each chunk (with the bytes so far); return false to pause. */
  onData?: (chunk: Buffer, received: number) => boolean
}

/** Sends one request and resolves with what came back (an error included). */
export function exchange(
  upstream: Upstream,
  r: Partial<UpstreamRequest> = {},
  d: Driving = {},
): Promise<Outcome> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = []
    let received = 0
    const out: Outcome = { status: 0, fields: [], body: Buffer.alloc(0) }
    const handler: ResponseHandler = {
      onConnect: (abort) => d.onAbort?.(abort),
      onHeaders: (status, fields, resume) => {
        out.status = status
        out.fields = fields
        return d.onHeaders?.(status, resume) ?? true
      },
      onData: (chunk) => {
        chunks.push(chunk)
        received += chunk.length
        return d.onData?.(chunk, received) ?? true
      },
      onComplete: (trailers) => {
        resolve({ ...out, body: Buffer.concat(chunks), ...(trailers ? { trailers } : {}) })
      },
      onError: (error) => resolve({ ...out, body: Buffer.concat(chunks), error }),
    }
    const request = { method: 'GET', path: '/', headers: ['host', 'svc.test'], body: null, ...r }
    upstream.dispatch(request, handler)
  })
}
