import { connect, type Socket } from 'node:net'
import type { Exchange } from './exchange.js'
import { UpstreamError } from '../core/handler.js'
import { responseParser, type NativeParser } from './parser.js'
import { requestHead } from './request-head.js'
import { sendBody } from './request-body.js'
import type { Watchdog, Watched } from '../net/watchdog.js'
import type { TlsDialer } from '../net/upstream-tls.js'

/** What a connection tells its pool. */
export interface ConnectionOwner {
  /** The exchange finished and the connection can carry another. */
  release(conn: H1Connection): void
  /** The connection is gone; `retry` is an exchange to send again on a fresh one. */
  closed(conn: H1Connection, retry: Exchange | undefined): void
}

/**
 * One keep-alive HTTP/1.1 connection to an endpoint, one exchange at a time (no pipelining).
 * Responses are parsed by Node's native parser; backpressure runs both ways (a handler that
 * returns false pauses the socket until it calls `resume`). A connection is reused only after a
 * complete response that allows it, with the request body fully written.
 */
export class H1Connection implements Watched {
  readonly socket: Socket
  private readonly parser: NativeParser
  private current: Exchange | undefined
  private fields: string[] = []
  private error: Error | undefined
  private keepAlive = false
  /** Carried an exchange before (a stale keep-alive connection may fail the next one). */
  private used = false
  /** The server's `Keep-Alive: timeout=N` hint, in ms, if any. */
  idleHintMs: number | undefined
  /** The watchdog's clock when the exchange started, or the endpoint was last heard from. */
  private heardAt = 0
  /** Paused by the downstream's backpressure: the silence is the client's, not the endpoint's. */
  private paused = false
  /** `heardAt` when a sweep first found the exchange overdue. */
  private overdueFrom = -1
  /**
   * The connection was established, TLS handshake included (before that, nothing of a request
   * was sent).
   */
  private connected = false
  /** TCP is up (with TLS: the handshake has started). */
  private tcpUp = false
  /** Something was read from the endpoint. */
  private heard = false
  /** The current exchange was aborted by its caller (its error is the caller's). */
  private cancelled = false

  constructor(
    host: string,
    port: number,
    private readonly owner: ConnectionOwner,
    private readonly timeouts: ConnectionTimeouts,
    private readonly watchdog: Watchdog,
    private readonly tls?: TlsDialer,
  ) {
    this.socket = tls === undefined ? connect({ host, port, noDelay: true }) : tls.connect()
    // One 'timeout' listener for the connection's life: setTimeout(ms, cb) would add one per call.
    // With TLS, the connect timeout covers the handshake.
    this.socket.setTimeout(timeouts.connectTimeoutMs)
    this.socket.on('timeout', () => this.timedOut())
    this.socket.once('connect', () => (this.tcpUp = true))
    this.socket.once(this.readyEvent, () => {
      this.connected = true
      this.socket.setTimeout(0)
      this.heardAt = watchdog.now
    })
    watchdog.watch(this, timeouts.responseTimeoutMs)
    this.parser = responseParser(this)
    this.socket.on('data', (b: Buffer) => this.read(b))
    this.socket.on('end', () => this.ended())
    this.socket.on('error', (e) => (this.error ??= e))
    this.socket.on('close', () => this.gone())
  }

  /** Sends `x` on this connection. */
  send(x: Exchange): void {
    this.current = x
    this.cancelled = false
    this.heardAt = this.watchdog.now
    if (this.fields.length > 0) this.fields = []
    x.cancel = (err) => {
      this.cancelled = true
      this.error ??= err
      this.socket.destroy()
    }
    const { head, chunked } = requestHead(x.request)
    const body = x.request.body
    if (body === null) this.socket.write(head, 'latin1')
    else if (this.connected) this.sendWithBody(x, head, chunked)
    // Nothing of the body is read until connected: a failed connect leaves it whole.
    else
      this.socket.once(this.readyEvent, () => {
        if (this.current === x) this.sendWithBody(x, head, chunked)
      })
  }

  /** The event after which requests go out: TCP connected, or the TLS handshake done. */
  private get readyEvent(): 'connect' | 'secureConnect' {
    return this.tls === undefined ? 'connect' : 'secureConnect'
  }

  /** The head, then the body (a kept body leaves with the head). */
  private sendWithBody(x: Exchange, head: string, chunked: boolean): void {
    this.socket.cork()
    this.socket.write(head, 'latin1')
    sendBody(x, this.socket, chunked)
    this.socket.uncork()
  }

  /** Idle in the pool: closes itself after `ms` without use. */
  idle(ms: number): void {
    this.socket.setTimeout(ms)
  }

  /** Carrying an exchange: no idle timeout (a new connection keeps its connect timeout). */
  busy(): void {
    if (this.connected) this.socket.setTimeout(0)
  }

  /**
   * The response timeout (asked by the watchdog): an exchange whose endpoint has sent nothing
   * for `responseTimeoutMs` since the request was sent, or since its last read, fails. Not
   * while connecting (the connect timeout) or uploading the request body (the endpoint may wait
   * for all of it); so a response that keeps coming is never cut. Paused by the downstream, the
   * silence is the client's: one that takes nothing of the response for as long (no drain since
   * the pause) fails the exchange too, or it would hold this connection, a place in the pool's
   * `maxSize`, for as long as it likes.
   */
  check(now: number): void {
    const x = this.current
    if (x === undefined || x.done || !this.connected) return
    if (!x.bodyWritten) this.heardAt = now
    if (now - this.heardAt <= this.timeouts.responseTimeoutMs) return
    // Overdue: fail at the next sweep unless a read comes first. A stall of this process (a
    // busy event loop, a GC pause) must not pass for the endpoint's silence: data that came
    // meanwhile is read between two sweeps.
    if (this.overdueFrom !== this.heardAt) this.overdueFrom = this.heardAt
    else {
      this.error ??= silence(this.paused, this.timeouts.responseTimeoutMs)
      this.socket.destroy()
    }
  }

  close(): void {
    this.socket.destroy()
  }

  // Parser events (ParserEvents).
  headers(fields: string[]): void {
    this.fields.push(...fields)
  }

  head(status: number, fields: string[] | undefined, keepAlive: boolean): boolean {
    const x = this.current
    // Usually the whole head comes at once: use the parser's list as is, no copy.
    const early = this.fields
    const all =
      early.length === 0 ? (fields ?? []) : fields === undefined ? early : [...early, ...fields]
    if (early.length > 0) this.fields = []
    if (x === undefined || x.done) return false
    x.answered = true
    if (status < 200) return false
    x.final = true
    this.keepAlive = keepAlive
    this.idleHintMs = keepAliveHint(all)
    if (!x.handler.onHeaders(status, all, this.resume)) this.pause()
    return x.request.method === 'HEAD'
  }

  body(chunk: Buffer): void {
    const x = this.current
    if (x === undefined || x.done) return
    if (!x.handler.onData(chunk)) this.pause()
  }

  complete(): void {
    const x = this.current
    if (x === undefined || !x.final) return
    this.current = undefined
    this.used = true
    // Paused by this exchange's downstream with the end in the same read: the next exchange
    // must not start paused (nothing would read its response).
    if (this.paused) this.resume()
    const reusable = this.keepAlive && x.bodyWritten && !this.socket.destroyed
    x.complete()
    if (reusable) this.owner.release(this)
    else this.socket.destroy()
  }

  private pause(): void {
    this.paused = true
    this.socket.pause()
  }

  private readonly resume = (): void => {
    this.paused = false
    this.heardAt = this.watchdog.now
    this.socket.resume()
  }

  private read(b: Buffer): void {
    this.heard = true
    this.heardAt = this.watchdog.now
    const r = this.parser.execute(b)
    if (r instanceof Error) {
      this.error ??= new UpstreamError('HPE_INVALID_RESPONSE', `invalid response: ${r.message}`)
      this.socket.destroy()
    }
  }

  /** Failed the way a connection the server had already closed fails. */
  private stale(): boolean {
    const code = (this.error as { code?: unknown } | undefined)?.code
    return this.error === undefined || (typeof code === 'string' && STALE_CODES.has(code))
  }

  private ended(): void {
    // A body delimited by the end of the connection is complete now.
    this.parser.finish()
    // Idle in the pool, a connection the endpoint closed must not be handed out: a request
    // written to it would fail (EPIPE) though nothing of it was sent.
    if (this.current === undefined) this.socket.destroy()
  }

  /** Not connected in time (an error), or idle for too long (a quiet close). */
  private timedOut(): void {
    if (!this.connected) {
      const what = this.tcpUp ? 'TLS handshake not done' : 'connection not established'
      this.error ??= new UpstreamError(
        'ETIMEDOUT',
        `${what} within ${this.timeouts.connectTimeoutMs} ms`,
      )
    }
    this.socket.destroy()
  }

  private gone(): void {
    this.watchdog.unwatch(this)
    this.parser.free()
    const x = this.current
    this.current = undefined
    if (x === undefined || x.done) return this.owner.closed(this, undefined)
    if (this.used && this.stale() && x.replayable) return this.owner.closed(this, x)
    this.owner.closed(this, undefined)
    x.fail(this.failure(x))
  }

  /** Why the exchange on a connection that closed failed. */
  private failure(x: Exchange): Error {
    if (this.cancelled) return this.closedError()
    const tls = this.tls?.failure({
      tcpUp: this.tcpUp,
      connected: this.connected,
      error: this.error,
      firstExchange: !this.used,
      heard: this.heard,
      request: x.request,
    })
    if (tls !== undefined) return tls
    return this.connected ? this.closedError() : notConnected(this.error)
  }

  private closedError(): Error {
    return (
      this.error ??
      new UpstreamError(
        'UPSTREAM_CLOSED',
        'the upstream closed the connection before the response was complete',
      )
    )
  }
}

/** A connection's timeouts, in ms. */
export interface ConnectionTimeouts {
  readonly connectTimeoutMs: number
  /** Longest silence from the endpoint while a response is due (see `check`). */
  readonly responseTimeoutMs: number
}

/** The response timeout's error: the endpoint was silent, or the client took nothing. */
function silence(paused: boolean, ms: number): UpstreamError {
  const who = paused ? 'the client took nothing of the response' : 'nothing came from the endpoint'
  return new UpstreamError('RESPONSE_TIMEOUT', `${who} for ${ms} ms (client responseTimeoutMs)`)
}

/** The failure of a connection never established: nothing of its request was sent. */
function notConnected(err: Error | undefined): UpstreamError {
  const code = (err as { code?: unknown } | undefined)?.code
  return new UpstreamError(
    typeof code === 'string' ? code : 'ECONNREFUSED',
    err?.message ?? 'the connection closed before it was established',
    { cause: err, unsent: true },
  )
}

/** How a keep-alive connection the server closed meanwhile fails: reset, broken pipe or EOF. */
const STALE_CODES = new Set(['ECONNRESET', 'EPIPE'])

/** `Keep-Alive: timeout=N` → N seconds less one second of margin, in ms. */
function keepAliveHint(fields: readonly string[]): number | undefined {
  for (let i = 0; i < fields.length; i += 2) {
    const name = fields[i] as string
    if (name.length !== 10 || name.toLowerCase() !== 'keep-alive') continue
    const m = /timeout=(\d+)/i.exec(fields[i + 1] as string)
    if (m !== null) return Math.max(1000, Number(m[1]) * 1000 - 1000)
  }
  return undefined
}
