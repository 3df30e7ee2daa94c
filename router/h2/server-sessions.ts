/**
 * The sessions (client connections) of one HTTP/2 server and their hygiene: each session's
 * peer and its `tls.clientNames` refusal (read once), its streams in flight; idle sessions
 * closed after `idleTimeoutMs`; a stream whose client falls silent for `receiveTimeoutMs` (no
 * DATA since its HEADERS or its last DATA) before its request ended or its answer began answered
 * 408; a session whose client resets more than
 * `maxResetsPerSecond` streams in a second (the "rapid reset" attack, CVE-2023-44487) ended at
 * once with GOAWAY ENHANCE_YOUR_CALM; a session error (a protocol error, one of Node's flood
 * protections) counted and the session destroyed, never an uncaught error. One sweep timer per
 * server for idle sessions, as the HTTP/1.1 server keeps; the receive timeout is Node's stream
 * timer (`stream.setTimeout`), which Node itself refreshes on every frame read, so a long upload
 * that keeps sending (a client-streaming gRPC call) is never cut.
 */
import {
  constants,
  type Http2Session,
  type ServerHttp2Session,
  type ServerHttp2Stream,
} from 'node:http2'
import type { Socket } from 'node:net'
import type { Call } from '../core/call.js'
import type { Counter, ServerStats } from '../metrics/index.js'
import type { H2Downstream, StreamWatch } from './downstream.js'
import type { Peer } from './inbound.js'

/** How long a GOAWAY is given to be written before its session is destroyed. */
const GOAWAY_FLUSH_MS = 50

/** The bounds a server keeps on its sessions (defaults in H2ServerOptions). */
export interface SessionLimits {
  readonly idleTimeoutMs: number
  readonly receiveTimeoutMs: number
  readonly maxResetsPerSecond: number
  /** A stream's header list over this many bytes is answered 431, never routed. */
  readonly maxHeaderListBytes: number
}

/** One session as the server follows it. */
export class SessionState implements Peer, StreamWatch {
  readonly remoteAddress: string | undefined
  readonly remotePort: number | undefined
  /** Streams whose answer is not over. */
  open = 0
  /** Ended for a reset flood (its GOAWAY is on its way). */
  flooded = false
  /** Streams of the current read waiting to be routed (server.ts routes them in one batch). */
  waiting: Array<{ readonly call: Call; readonly answer: H2Downstream }> = []
  idleSince = Date.now()
  private resets = 0
  private resetsSince = 0

  constructor(
    readonly session: ServerHttp2Session,
    private readonly owner: ServerSessions,
    /** The `tls.clientNames` refusal of every stream of this session, if refused. */
    readonly refusal: string | undefined,
  ) {
    const socket = session.socket as Socket | undefined
    this.remoteAddress = socket?.remoteAddress
    this.remotePort = socket?.remotePort
  }

  resetReceived(): void {
    this.owner.counters.resetsReceived.value++
    const now = Date.now()
    if (now - this.resetsSince >= 1000) {
      this.resetsSince = now
      this.resets = 0
    }
    if (++this.resets > this.owner.limits.maxResetsPerSecond) this.owner.flood(this)
  }

  resetSent(): void {
    this.owner.counters.resetsSent.value++
  }

  streamClosed(): void {
    if (--this.open === 0) this.idleSince = Date.now()
  }
}

/** The counters of a server's h2 hygiene (see docs/limits.md). */
export interface SessionCounters {
  readonly resetsReceived: Counter
  readonly resetsSent: Counter
  readonly sessionErrors: Counter
  readonly resetFloods: Counter
  readonly receiveTimeouts: Counter
}

/** See the file header. */
export class ServerSessions {
  private readonly sessions = new Map<ServerHttp2Session, SessionState>()
  readonly counters: SessionCounters
  private readonly sweeper: NodeJS.Timeout
  private readonly whenEmpty: Array<() => void> = []

  constructor(
    readonly limits: SessionLimits,
    private readonly stats: ServerStats,
  ) {
    this.counters = {
      resetsReceived: stats.counter('stream/resets_received'),
      resetsSent: stats.counter('stream/resets_sent'),
      sessionErrors: stats.counter('session/errors'),
      resetFloods: stats.counter('session/reset_floods'),
      receiveTimeouts: stats.counter('stream/receive_timeouts'),
    }
    const every = Math.max(10, Math.min(1000, limits.idleTimeoutMs / 4))
    this.sweeper = setInterval(() => this.sweep(), every)
    this.sweeper.unref()
  }

  /** Sessions open now. */
  get size(): number {
    return this.sessions.size
  }

  /** Follows a new session; `refusal`: see SessionState. */
  add(session: ServerHttp2Session, refusal: string | undefined): void {
    const state = new SessionState(session, this, refusal)
    this.sessions.set(session, state)
    this.stats.connections++
    session.on('error', () => {
      this.counters.sessionErrors.value++
      session.destroy()
    })
    session.once('close', () => {
      this.stats.connections--
      this.sessions.delete(session)
      if (this.sessions.size === 0) for (const resolve of this.whenEmpty.splice(0)) resolve()
    })
  }

  of(session: Http2Session | undefined): SessionState | undefined {
    return session === undefined ? undefined : this.sessions.get(session as ServerHttp2Session)
  }

  /**
   * `stream` of `state` is answered by `d` until its 'close' (which clears its timer too, and
   * counts it out: `d` calls `state.streamClosed`). A request whole in its HEADERS frame has
   * nothing left to receive: no timer.
   */
  opened(state: SessionState, d: H2Downstream, stream: ServerHttp2Stream): void {
    state.open++
    if (stream.endAfterHeaders) return
    stream.setTimeout(this.limits.receiveTimeoutMs, () => this.silent(d, stream))
  }

  /** No frame on `stream` for receiveTimeoutMs: 408 if its request is still to come. */
  private silent(d: H2Downstream, stream: ServerHttp2Stream): void {
    stream.setTimeout(0)
    if (d.received) return
    this.counters.receiveTimeouts.value++
    const ms = this.limits.receiveTimeoutMs
    d.expire(`request not received: nothing from the client for ${ms} ms (receiveTimeoutMs)`)
  }

  /** The session's client resets streams faster than allowed: GOAWAY, and it is gone. */
  flood(state: SessionState): void {
    if (state.session.destroyed || state.flooded) return
    state.flooded = true
    this.counters.resetFloods.value++
    const { session } = state
    // GOAWAY first (no stream is taken after it), then the session goes once that is written.
    session.goaway(constants.NGHTTP2_ENHANCE_YOUR_CALM)
    setTimeout(() => session.destroy(), GOAWAY_FLUSH_MS).unref()
  }

  /** GOAWAY to every session: no new streams; each closes once its streams are done. */
  drain(): void {
    for (const session of this.sessions.keys()) if (!session.closed) session.close()
  }

  /** Ends every session now (their streams are reset). */
  destroyAll(): void {
    for (const session of this.sessions.keys()) session.destroy()
  }

  /** Resolves once no session is open. */
  empty(): Promise<void> {
    return new Promise((resolve) => {
      if (this.sessions.size === 0) resolve()
      else this.whenEmpty.push(resolve)
    })
  }

  /** Stops the sweep (the server is closed). */
  stop(): void {
    clearInterval(this.sweeper)
  }

  private sweep(): void {
    const now = Date.now()
    const { idleTimeoutMs } = this.limits
    for (const state of this.sessions.values()) {
      if (state.open === 0 && now - state.idleSince > idleTimeoutMs && !state.session.closed)
        state.session.close()
    }
  }
}
