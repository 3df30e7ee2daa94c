import { connect as connectTcp, type Socket } from 'node:net'
import {
  connect,
  constants,
  type ClientHttp2Session,
  type ClientHttp2Stream,
  type OutgoingHttpHeaders,
  type Settings,
} from 'node:http2'
import type { TLSSocket } from 'node:tls'
import { UpstreamError } from '../core/handler.js'
import { TlsHandshakeError } from '../core/tls-failure.js'
import type { TlsDialer } from '../net/upstream-tls.js'
import type { Watchdog, Watched } from '../net/watchdog.js'
import { Keepalive, type KeepaliveOptions } from './keepalive.js'
import type { H2Exchange, StreamOwner } from './upstream-exchange.js'
import { requestHeaders } from './upstream-headers.js'
import { CONNECTION_WINDOW_BYTES, UPSTREAM_SESSION_MEMORY_MB } from './settings.js'
import { ASSUMED_MAX_STREAMS } from './upstream-options.js'
import {
  connectFailure,
  diedMidStream,
  refusedByGoaway,
  resetByEndpoint,
} from './upstream-failures.js'

const { NGHTTP2_CANCEL, NGHTTP2_NO_ERROR } = constants

/** How long a retired session with no stream is given to close by itself. */
const LINGER_MS = 1000

/** A session's bounds, defaults applied. */
export interface SessionSettings extends KeepaliveOptions {
  /** The SETTINGS this side sends. */
  readonly settings: Settings
  readonly connectTimeoutMs: number
  readonly responseTimeoutMs: number
  readonly maxWaiters: number
}

/** What a session tells the upstream that owns it. */
export interface SessionOwner {
  /** The session can take more streams (connected, a stream ended, the limit grew). */
  room(s: H2Session): void
  /** The session takes no new stream (GOAWAY, closing, gone): new ones go to a new session. */
  retired(s: H2Session): void
  /** The session is closed. */
  gone(s: H2Session): void
  /** The endpoint allows this session no stream at all (SETTINGS_MAX_CONCURRENT_STREAMS 0). */
  closedToStreams(s: H2Session): void
  /** Asked on each watchdog sweep (the clock `now`): the line's time bound. */
  check(s: H2Session, now: number): void
}

/** Where a session connects. */
export interface SessionTarget {
  readonly host: string
  readonly port: number
  /** `host:port` (IPv6 in brackets): the `:authority` of a request that has no `host`. */
  readonly key: string
}

/**
 * One HTTP/2 session (h2c by prior knowledge, or h2 over TLS chosen by ALPN) to an endpoint,
 * carrying many streams at once up to the endpoint's SETTINGS_MAX_CONCURRENT_STREAMS (100 until
 * its SETTINGS come, which they must within the connect timeout). Its connection-level receive
 * window is CONNECTION_WINDOW_BYTES, not node:http2's 64 KiB. A GOAWAY retires it: streams it had accepted finish, later ones fail
 * unsent. Responses are timed from the request's end to their head (`responseTimeoutMs`).
 */
export class H2Session implements StreamOwner, Watched {
  private readonly session: ClientHttp2Session
  private readonly socket: Socket
  private readonly active = new Set<H2Exchange>()
  private readonly keepalive: Keepalive
  private maxStreams = ASSUMED_MAX_STREAMS
  /** Connected (TLS handshake done, h2 chosen); before that, nothing of a request left. */
  connected = false
  /** The endpoint's SETTINGS arrived: its stream limit is its own word, no longer assumed. */
  settled = false
  private tcpUp = false
  private retiredAlready = false
  private gone = false
  private error: Error | undefined
  /** The last stream id of the endpoint's GOAWAY: streams above it were not processed. */
  private goawayLast: number | undefined

  constructor(
    private readonly target: SessionTarget,
    private readonly o: SessionSettings,
    private readonly owner: SessionOwner,
    private readonly watchdog: Watchdog,
    private readonly dialer?: TlsDialer,
  ) {
    const socket =
      dialer === undefined ? connectTcp({ ...target, noDelay: true }) : dialer.connect()
    this.socket = socket
    socket.setTimeout(o.connectTimeoutMs)
    socket.once('timeout', () => this.connectTimedOut())
    socket.once('connect', () => (this.tcpUp = true))
    // Heard before the session's own listener: its streams close knowing why.
    socket.on('error', (e) => (this.error ??= e))
    const scheme = dialer === undefined ? 'http' : 'https'
    this.session = connect(`${scheme}://${target.key}`, {
      settings: { ...o.settings, enablePush: false },
      maxSessionMemory: UPSTREAM_SESSION_MEMORY_MB,
      createConnection: () => socket,
    })
    this.keepalive = new Keepalive(o, this)
    this.listen()
    watchdog.watch(this, o.responseTimeoutMs)
  }

  /** Whether a new stream may start now. */
  get hasRoom(): boolean {
    return !this.retiredAlready && !this.session.destroyed && this.active.size < this.maxStreams
  }

  /** Streams open now. */
  get streams(): number {
    return this.active.size
  }

  /** Sends `x` on a new stream of this session. */
  start(x: H2Exchange): void {
    if (this.active.size === 0) this.keepalive.busy()
    this.active.add(x)
    x.sentAt = this.watchdog.now
    const refused = this.open(x)
    if (refused === undefined) return
    // No stream: the place is free again, and a session that refused for its own state (closing)
    // takes no more.
    this.active.delete(x)
    if (this.active.size === 0) this.keepalive.idle()
    if (refused.unsent) this.retire()
  }

  /** Opens `x`'s stream; why not, if it could not be. */
  private open(x: H2Exchange): UpstreamError | undefined {
    const scheme = this.dialer === undefined ? 'http' : 'https'
    let headers: OutgoingHttpHeaders
    try {
      headers = requestHeaders(x.request, scheme, this.target.key)
    } catch (e) {
      x.fail(e as UpstreamError)
      return e as UpstreamError
    }
    return x.start(this.session, headers, this)
  }

  /** Takes no new stream; closes once the open ones finish. */
  close(): void {
    this.retire()
    // Still connecting with nothing to carry: no need to wait for the handshake.
    if (!this.connected && [...this.active].every((x) => x.done)) this.session.destroy()
    else if (!this.session.closed) this.session.close()
  }

  streamClosed(x: H2Exchange): void {
    if (!this.active.delete(x) || this.active.size > 0) return this.owner.room(this)
    if (this.retiredAlready) return this.lingerThenCut()
    if (this.o.idleTimeMs <= 0) return this.close()
    this.keepalive.idle()
    this.owner.room(this)
  }

  failureOf(x: H2Exchange, stream: ClientHttp2Stream, err: Error | undefined): Error {
    if (!this.connected) return this.connectFailure(x, err)
    const id = x.streamId
    if (this.goawayLast !== undefined && (id === undefined || id > this.goawayLast)) {
      return refusedByGoaway(this.target.key)
    }
    if (this.session.destroyed) return diedMidStream(this.error ?? err, id === undefined)
    const code = stream.rstCode
    if (code !== undefined && code !== NGHTTP2_NO_ERROR) return resetByEndpoint(code)
    return new UpstreamError(
      'UPSTREAM_CLOSED',
      'the stream closed before the response was complete',
    )
  }

  /** The response timeout (asked by the watchdog): streams with no head in time fail. */
  check(now: number): void {
    this.owner.check(this, now)
    if (!this.connected || this.active.size === 0) return
    for (const x of this.active) {
      if (x.done || x.headed) continue
      if (!x.requestSent) x.sentAt = now
      else if (now - x.sentAt > this.o.responseTimeoutMs) {
        x.reset(NGHTTP2_CANCEL)
        x.fail(responseTimeout(this.o.responseTimeoutMs))
      }
    }
  }

  // KeepaliveTarget
  ping(answered: () => void): void {
    if (!this.session.destroyed) this.session.ping(() => answered())
  }

  dead(ms: number): void {
    this.error ??= new UpstreamError(
      'PING_TIMEOUT',
      `the endpoint did not answer a PING in ${ms} ms`,
    )
    this.session.destroy()
  }

  expired(): void {
    this.close()
  }

  private listen(): void {
    const s = this.session
    s.once('connect', () => this.onConnect())
    s.on('remoteSettings', (settings) => {
      this.maxStreams = settings.maxConcurrentStreams ?? 2 ** 32 - 1
      if (!this.settled) this.socket.setTimeout(0)
      this.settled = true
      if (this.maxStreams > 0) return this.owner.room(this)
      // Never any room here: waiting for it would be for ever; what it carries finishes.
      this.owner.closedToStreams(this)
      this.retire()
    })
    s.on('goaway', (_code: number, lastStreamId: number) => {
      this.goawayLast = lastStreamId
      this.retire()
    })
    s.on('error', (e: Error) => (this.error ??= e))
    s.once('close', () => this.closed())
    this.socket.once('close', () => this.closed())
  }

  private onConnect(): void {
    // Closed while connecting (nothing left to carry): Node still reports the connection.
    if (this.session.destroyed) return
    const alpn = (this.socket as TLSSocket).alpnProtocol
    if (this.dialer !== undefined && alpn !== 'h2') return this.noH2(alpn)
    this.connected = true
    this.session.setLocalWindowSize(CONNECTION_WINDOW_BYTES)
    // Streams may have started while connecting: the keepalive watches only an idle session.
    if (this.active.size === 0) this.keepalive.idle()
    this.owner.room(this)
  }

  private noH2(alpn: string | false | null | undefined): void {
    const chose = typeof alpn === 'string' ? `it chose ${JSON.stringify(alpn)}` : 'it chose none'
    const cause = new Error(`the endpoint did not select h2 by ALPN (${chose})`)
    this.error = new TlsHandshakeError({
      cause,
      endpoint: this.target.key,
      expected: this.dialer?.expectedName,
      unsent: true,
    })
    this.session.destroy()
  }

  private connectTimedOut(): void {
    if (this.settled) return
    const what = this.connected
      ? 'no SETTINGS from the endpoint'
      : this.tcpUp && this.dialer !== undefined
        ? 'TLS handshake not done'
        : 'not connected'
    this.error ??= new UpstreamError('ETIMEDOUT', `${what} within ${this.o.connectTimeoutMs} ms`, {
      unsent: true,
    })
    this.session.destroy()
  }

  /** Why `x` failed on this session that never connected (`err`: its stream's error). */
  connectFailure(x: H2Exchange, err?: Error): UpstreamError {
    const state = { tcpUp: this.tcpUp, error: this.error ?? err, dialer: this.dialer }
    return connectFailure({ ...state, request: x.request })
  }

  private retire(): void {
    if (this.retiredAlready) return
    this.retiredAlready = true
    this.owner.retired(this)
    if (this.active.size === 0) this.lingerThenCut()
  }

  /**
   * A retired session with no stream is over, but node:http2 waits for the endpoint to close
   * the TCP connection, which one holding a stream we gave up on may never do: past a short
   * linger (for our GOAWAY to leave) the socket is closed from here.
   */
  private lingerThenCut(): void {
    const cut = (): void => void (this.socket.destroyed || this.socket.destroy())
    setTimeout(cut, LINGER_MS).unref()
  }

  private closed(): void {
    if (this.gone) return
    this.gone = true
    this.keepalive.stop()
    this.watchdog.unwatch(this)
    this.retire()
    this.owner.gone(this)
  }
}

function responseTimeout(ms: number): UpstreamError {
  return new UpstreamError(
    'RESPONSE_TIMEOUT',
    `no response head came from the endpoint within ${ms} ms of the request (client responseTimeoutMs)`,
  )
}
