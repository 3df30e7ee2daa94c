/**
 * Test support for the router's HTTP/2 server (router/h2/server.ts): a routing core whose
 * upstreams a test script answers by hand (any sequence of ResponseHandler calls, pauses and
 * resets), served by a real `startH2Server` on loopback, and a real `node:http2` client.
 */
import type { ExecutionContext } from 'ava'
import {
  connect,
  constants,
  type ClientHttp2Session,
  type ClientHttp2Stream,
  type IncomingHttpHeaders,
  type OutgoingHttpHeaders,
  type SecureClientSessionOptions,
} from 'node:http2'
import type { Path } from '../../dtabs/index.js'
import type { Connector, ResponseHandler, UpstreamRequest } from '../../router/core/handler.js'
import type { RouterSetup } from '../../router/core/router.js'
import { startH2Server, type H2ServerOptions } from '../../router/h2/server.js'
import type { RouterStats } from '../../router/metrics/index.js'
import type { Endpoint } from '../../router/model.js'
import { coreRouter } from './core.js'

/** One request an upstream got: what it was, and how the router ended it. */
export interface Dispatched {
  readonly endpoint: string
  readonly request: UpstreamRequest
  readonly handler: ResponseHandler
  /** The error the router aborted it with, if it did. */
  aborted: Error | undefined
}

/** How a scripted upstream answers: by calling `d.handler` as it pleases. */
export type Script = (d: Dispatched) => void

/** A connector whose every request goes to `script`; `dispatched` lists them in order. */
export function scriptedConnector(script: Script): {
  connector: Connector
  dispatched: Dispatched[]
} {
  const dispatched: Dispatched[] = []
  const upstream = (e: Endpoint) => ({
    dispatch(request: UpstreamRequest, handler: ResponseHandler) {
      const d: Dispatched = { endpoint: e.key, request, handler, aborted: undefined }
      dispatched.push(d)
      handler.onConnect((err) => {
        if (d.aborted !== undefined) return
        d.aborted = err
        handler.onError(err)
      })
      script(d)
    },
  })
  return { connector: { upstream, close: () => Promise.resolve() }, dispatched }
}

/** The dtab of the fixture namers: `:authority` `users` routes to `127.0.0.1:9001`. */
export const H2_DTAB = '/svc => /#/io.l5d.fs'

export interface H2Router {
  readonly port: number
  readonly url: string
  readonly stats: RouterStats
  readonly dispatched: Dispatched[]
  /** The server's own stats (`rt/test/server/127.0.0.1/<port>`). */
  readonly server: ReturnType<RouterStats['server']>
  close(graceMs?: number): Promise<void>
}

/** A router identifying by `:authority`, its upstreams `script`, served over h2 by `o`. */
export async function h2Router(
  t: ExecutionContext,
  script: Script,
  o: Partial<H2ServerOptions> = {},
  setup: Partial<RouterSetup> = {},
): Promise<H2Router> {
  const { connector, dispatched } = scriptedConnector(script)
  const identify: RouterSetup['identify'] = (req) => {
    const authority = req.headers[':authority']
    return typeof authority === 'string'
      ? { ok: true, dst: ['svc', authority] as Path }
      : { ok: false, reason: 'no :authority' }
  }
  const r = coreRouter(H2_DTAB, () => 'hang', { connector, identify, ...setup })
  const server = await startH2Server(r.router, {
    ip: '127.0.0.1',
    port: 0,
    clearContext: false,
    statsFor: (ip, port) => r.stats.server(ip, port),
    ...o,
  })
  t.teardown(async () => {
    await server.close(0)
    await r.router.close()
  })
  const { port } = server.address
  const scheme = o.tls === undefined ? 'http' : 'https'
  return {
    port,
    url: `${scheme}://127.0.0.1:${port}`,
    stats: r.stats,
    dispatched,
    server: r.stats.server('127.0.0.1', port),
    close: (graceMs) => server.close(graceMs),
  }
}

/** A client session to `url`, closed at the test's end. */
export function h2Client(
  t: ExecutionContext,
  url: string,
  options: SecureClientSessionOptions = {},
): ClientHttp2Session {
  const session = connect(url, options)
  session.on('error', () => undefined)
  t.teardown(() => session.destroy())
  return session
}

/** What a client stream got. */
export interface Answer {
  readonly status: number
  readonly headers: IncomingHttpHeaders
  /** The flags of the response's HEADERS frame. */
  readonly flags: number
  readonly body: Buffer
  readonly trailers: IncomingHttpHeaders | undefined
  /** The stream's RST_STREAM code (0: none). */
  readonly rstCode: number
}

/** Sends a request on `session` (`:authority` `users` unless given) and reads it whole. */
export function exchange(
  session: ClientHttp2Session,
  headers: OutgoingHttpHeaders = {},
  body?: Buffer | string,
): Promise<Answer> {
  const stream = session.request(
    { ':authority': 'users', ...headers },
    { endStream: body === undefined },
  )
  if (body !== undefined) stream.end(body)
  return answerOf(stream)
}

/** Reads `stream`'s answer to its end (or its reset). */
export function answerOf(stream: ClientHttp2Stream): Promise<Answer> {
  return new Promise((resolve) => {
    let status = 0
    let headers: IncomingHttpHeaders = {}
    let flags = 0
    let trailers: IncomingHttpHeaders | undefined
    const chunks: Buffer[] = []
    stream.on('response', (h, f) => {
      status = Number(h[':status'])
      headers = h
      flags = f
    })
    stream.on('trailers', (h) => (trailers = h))
    stream.on('data', (c: Buffer) => chunks.push(c))
    stream.on('error', () => undefined)
    stream.on('close', () => {
      const body = Buffer.concat(chunks)
      resolve({ status, headers, flags, body, trailers, rstCode: stream.rstCode ?? 0 })
    })
  })
}

/** END_STREAM on a HEADERS frame. */
export const END_STREAM = constants.NGHTTP2_FLAG_END_STREAM
