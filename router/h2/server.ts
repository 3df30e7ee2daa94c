/**
 * The router's HTTP/2 server: h2c by prior knowledge, or h2 over TLS negotiated by ALPN (no
 * HTTP/1.1 on that port). Each stream becomes a `Call` (via `h2 linkerd`) answered through an
 * `H2Downstream`; Node's core stream API is used, not the compatibility one (slower). The
 * sessions' hygiene (idle, receive timeout, reset floods, errors) is server-sessions.ts's.
 */
import {
  createSecureServer,
  createServer,
  type Http2SecureServer,
  type Http2Server,
  type IncomingHttpHeaders,
  type SecureServerOptions,
  type ServerHttp2Session,
  type ServerHttp2Stream,
} from 'node:http2'
import type { AddressInfo, Socket } from 'node:net'
import { nullLog, type Log } from '../../lib/log.js'
import type { ServerTlsConfig } from '../../lib/tls/server-config.js'
import { Call, type ServerContext } from '../core/call.js'
import type { LiteralPolicy } from '../core/override-literals.js'
import type { Router } from '../core/router.js'
import { clientNamesRefusal, routerServerTls, watchTlsServer } from '../net/server-tls.js'
import type { ServerStats } from '../metrics/index.js'
import { H2Downstream } from './downstream.js'
import { inboundRequest } from './inbound.js'
import { listen, type RouterServer } from '../net/listen.js'
import { headerListBytes, refuseNotAllowed, refuseStream, tooLargeMessage } from './refusal.js'
import { ServerSessions, type SessionLimits, type SessionState } from './server-sessions.js'
import {
  CONNECTION_WINDOW_BYTES,
  nodeSettings,
  sessionMemoryMb,
  type H2Settings,
} from './settings.js'

/** A server's bounds not given: as the HTTP/1.1 server's, plus the reset-flood cap. */
export const H2_SERVER_DEFAULTS: SessionLimits = {
  idleTimeoutMs: 65_000,
  receiveTimeoutMs: 300_000,
  maxResetsPerSecond: 200,
  maxHeaderListBytes: 16_384,
}

export interface H2ServerOptions {
  readonly ip: string
  readonly port: number
  readonly clearContext: boolean
  readonly maxConcurrentRequests?: number
  readonly literalOverrides?: LiteralPolicy
  /** linkerd's h2 settings (`maxHeaderListBytes` defaults to 16 KiB here). */
  readonly h2?: H2Settings
  /** A session with no stream open for this long is closed with GOAWAY (default 65 s). */
  readonly idleTimeoutMs?: number
  /**
   * A stream whose request has not arrived whole (END_STREAM) and whose answer has not begun,
   * with nothing from its client this long (since its HEADERS or its last DATA), is answered 408
   * and its call aborted (default 300 s).
   */
  readonly receiveTimeoutMs?: number
  /** Client resets in one second beyond which a session is ended (default 200). */
  readonly maxResetsPerSecond?: number
  /** Serve h2 over TLS with these files (kept current when they change). */
  readonly tls?: ServerTlsConfig
  /** Where TLS file reloads are reported. */
  readonly log?: Log
  /** The stats of this server, by the address it actually listens on. */
  readonly statsFor: (ip: string, port: number) => ServerStats
}

export type { RouterServer }

/** Starts one HTTP/2 server whose streams `router` routes (see the file header). */
export async function startH2Server(router: Router, o: H2ServerOptions): Promise<RouterServer> {
  const log = o.log ?? nullLog
  const tls = await routerServerTls(o.tls, log)
  const limits = limitsOf(o)
  const settings = nodeSettings({ ...o.h2, maxHeaderListBytes: limits.maxHeaderListBytes })
  const options: SecureServerOptions = {
    settings,
    maxSessionMemory: sessionMemoryMb(settings.maxConcurrentStreams ?? 0),
    // Every field counts at least 32 bytes: no list within the byte bound has more fields than
    // this, and Node stops decoding one that does (RST_STREAM) before it costs more memory.
    maxHeaderListPairs: Math.ceil(limits.maxHeaderListBytes / 32) + 8,
  }
  const server: Http2Server | Http2SecureServer =
    tls === undefined
      ? createServer(options)
      : createSecureServer({ ...tls.options, ...options, allowHTTP1: false })
  await listen(server, o.ip, o.port).catch((e: unknown) => {
    tls?.close()
    throw e
  })
  const { address, port } = server.address() as AddressInfo
  const stats = o.statsFor(address, port)
  const context: ServerContext = {
    clearContext: o.clearContext,
    ...(o.literalOverrides === undefined ? {} : { literalOverrides: o.literalOverrides }),
    stats,
    maxConcurrentRequests: o.maxConcurrentRequests,
    active: 0,
  }
  const sessions = new ServerSessions(limits, stats)
  const refusal = clientNamesRefusal(o.tls, () => stats, log)
  if (tls !== undefined) {
    watchTlsServer(server, tls, stats, log)
    // A client that offers no h2 by ALPN: nothing to say to it.
    server.on('unknownProtocol', (socket: Socket) => socket.destroy())
  }
  server.on('session', (session: ServerHttp2Session) => {
    // Node's 64 KiB connection window would stall many streams of request bodies at once.
    if (!session.destroyed) session.setLocalWindowSize(CONNECTION_WINDOW_BYTES)
    sessions.add(session, refusal?.(session.socket as Socket))
  })
  server.on('stream', (stream, headers, flags, raw?: string[]) =>
    onStream({ router, context, sessions }, stream, headers, flags, raw ?? []),
  )
  const close = async (graceMs?: number): Promise<void> => {
    tls?.close()
    await closeH2Server(server, sessions, () => router.inFlight, graceMs)
  }
  return { address: { ip: address, port }, close }
}

function limitsOf(o: H2ServerOptions): SessionLimits {
  return {
    idleTimeoutMs: o.idleTimeoutMs ?? H2_SERVER_DEFAULTS.idleTimeoutMs,
    receiveTimeoutMs: o.receiveTimeoutMs ?? H2_SERVER_DEFAULTS.receiveTimeoutMs,
    maxResetsPerSecond: o.maxResetsPerSecond ?? H2_SERVER_DEFAULTS.maxResetsPerSecond,
    maxHeaderListBytes: o.h2?.maxHeaderListBytes ?? H2_SERVER_DEFAULTS.maxHeaderListBytes,
  }
}

/** What serves the streams of one server. */
interface Serving {
  readonly router: Router
  readonly context: ServerContext
  readonly sessions: ServerSessions
}

/** One stream: a Call and its Downstream, or the session's refusal. */
function onStream(
  { router, context, sessions }: Serving,
  stream: ServerHttp2Stream,
  headers: IncomingHttpHeaders,
  flags: number,
  raw: readonly string[],
): void {
  // A stream error with no listener would be thrown: the downstream sees the stream close.
  stream.on('error', ignore)
  const state = sessions.of(stream.session)
  if (state === undefined || stream.destroyed || stream.closed) return
  const type = headers['content-type']
  if (state.refusal !== undefined) return refuseNotAllowed(stream, state.refusal, type)
  const bytes = headerListBytes(raw)
  const { maxHeaderListBytes } = sessions.limits
  if (bytes > maxHeaderListBytes) {
    return refuseStream(stream, 431, tooLargeMessage(bytes, maxHeaderListBytes), type)
  }
  const request = inboundRequest(stream, headers, flags, raw, state)
  const answer = new H2Downstream(stream, request.method === 'HEAD', state, type)
  sessions.opened(state, answer, stream)
  if (state.waiting.push({ call: new Call(request, context, 'h2'), answer }) === 1) {
    setImmediate(routeWaiting, router, state)
  }
}

/**
 * Routes the streams a session's read opened, once Node has processed the rest of that read:
 * a client opening and resetting streams in one burst (the "rapid reset" attack) has its resets
 * counted first, so the streams it reset, and every stream after the flood guard ends its
 * session, never reach an endpoint. One `setImmediate` per read, not per stream.
 */
function routeWaiting(router: Router, state: SessionState): void {
  const waiting = state.waiting
  state.waiting = []
  for (const { call, answer } of waiting) {
    if (!state.flooded && !answer.closedEarly) router.route(call, answer)
  }
}

/**
 * Graceful close: stop accepting, GOAWAY to every session (no new streams), let the streams in
 * flight finish within `graceMs`, then destroy what is left.
 */
async function closeH2Server(
  server: Http2Server | Http2SecureServer,
  sessions: ServerSessions,
  inFlight: () => number,
  graceMs = 10_000,
): Promise<void> {
  const closed = new Promise((resolve) => server.close(resolve))
  sessions.drain()
  const deadline = Date.now() + graceMs
  while ((inFlight() > 0 || sessions.size > 0) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
  sessions.destroyAll()
  sessions.stop()
  await sessions.empty()
  await closed
}

function ignore(): void {}
