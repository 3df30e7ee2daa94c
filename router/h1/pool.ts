import { H1Connection, type ConnectionOwner } from './connection.js'
import { Exchange } from './exchange.js'
import { UpstreamError, type ResponseHandler, type UpstreamRequest } from '../core/handler.js'
import { UPSTREAM_DEFAULTS } from '../config/client.js'
import { Watchdog } from '../net/watchdog.js'
import type { ClientTlsConfig } from '../../lib/tls/client-config.js'
import { TlsDialer, type UpstreamTls } from '../net/upstream-tls.js'
import { upstreamTls } from '../net/upstream-tls-files.js'

export interface H1PoolOptions {
  /** Longest an idle connection is kept (default 60 s; shorter if the server says so; 0: none). */
  readonly idleTimeMs?: number
  /** Longest a connection may take to establish (default 10 s). */
  readonly connectTimeoutMs?: number
  /** Longest the endpoint may stay silent while a response is due or streaming (default 60 s). */
  readonly responseTimeoutMs?: number
  /** Most connections open at once (default 1024). */
  readonly maxSize?: number
  /** Most requests waiting for a connection when all are busy (default 1024). */
  readonly maxWaiters?: number
  /** Enforces the response timeout (default: one of the pool's own). */
  readonly watchdog?: Watchdog
  /** TLS to the endpoint (a client's `tls`, `commonName` filled in); absent: plain TCP. */
  readonly tls?: ClientTlsConfig
  /** `tls` with its files read, shared by the pools of one client (default: read here). */
  readonly upstreamTls?: UpstreamTls
}

/**
 * Keep-alive HTTP/1.1 connections to one endpoint: a request takes the most recently used idle
 * connection, else opens one while fewer than `maxSize` are open, else waits in line (first
 * come, first served) for one to be released; past `maxWaiters` waiting it fails at once
 * (`POOL_QUEUE_FULL`). A waiter whose call is aborted (timeout, client gone) leaves the line.
 * An idle connection closes after the server's keep-alive hint (less a second) or `idleTimeMs`.
 * `close()` closes idle connections at once and busy ones when their exchange ends.
 */
export class H1Pool implements ConnectionOwner {
  private readonly idleConns: H1Connection[] = []
  private readonly all = new Set<H1Connection>()
  private readonly waiters: Exchange[] = []
  private readonly maxSize: number
  private readonly maxWaiters: number
  private readonly watchdog: Watchdog
  /** With TLS: the secure context and the endpoint's TLS session, for every connection. */
  private readonly dialer: TlsDialer | undefined
  private closing = false
  private drained: (() => void) | undefined

  constructor(
    private readonly host: string,
    private readonly port: number,
    private readonly options: H1PoolOptions = {},
  ) {
    this.maxSize = options.maxSize ?? UPSTREAM_DEFAULTS.maxSize
    this.maxWaiters = options.maxWaiters ?? UPSTREAM_DEFAULTS.maxWaiters
    this.watchdog = options.watchdog ?? new Watchdog()
    const tls = options.upstreamTls ?? (options.tls && upstreamTls(options.tls))
    this.dialer = tls === undefined ? undefined : new TlsDialer(tls, host, port)
  }

  /** Sends `request`; the outcome goes to `handler` (see ResponseHandler). */
  dispatch(request: UpstreamRequest, handler: ResponseHandler): void {
    const x = new Exchange(request, handler)
    handler.onConnect((err) => {
      if (x.cancel !== undefined) x.cancel(err)
      else x.fail(err)
    })
    if (x.done) return
    if (this.closing) return x.fail(new Error('connection pool closed'))
    const idle = this.idleConns.pop()
    if (idle !== undefined || this.all.size < this.maxSize) return this.send(x, idle)
    this.wait(x)
  }

  /** Connections open now (idle and busy), for tests and admin pages. */
  get size(): number {
    return this.all.size
  }

  /** Requests waiting for a connection now. */
  get waiting(): number {
    return this.waiters.length
  }

  private wait(x: Exchange): void {
    if (this.waiters.length >= this.maxWaiters) return x.fail(this.queueFull())
    this.waiters.push(x)
    x.cancel = (err) => {
      const i = this.waiters.indexOf(x)
      if (i !== -1) this.waiters.splice(i, 1)
      x.fail(err)
    }
  }

  private nextWaiter(): Exchange | undefined {
    let x = this.waiters.shift()
    while (x?.done === true) x = this.waiters.shift()
    return x
  }

  private queueFull(): UpstreamError {
    return new UpstreamError(
      'POOL_QUEUE_FULL',
      `all ${this.maxSize} connections busy and ${this.maxWaiters} requests already waiting ` +
        '(client hostConnectionPool maxSize, maxWaiters)',
      { unsent: true },
    )
  }

  private send(x: Exchange, conn = this.open()): void {
    conn.busy()
    conn.send(x)
  }

  private open(): H1Connection {
    const timeouts = {
      connectTimeoutMs: this.options.connectTimeoutMs ?? 10_000,
      responseTimeoutMs: this.options.responseTimeoutMs ?? UPSTREAM_DEFAULTS.responseTimeoutMs,
    }
    const conn = new H1Connection(this.host, this.port, this, timeouts, this.watchdog, this.dialer)
    this.all.add(conn)
    return conn
  }

  release(conn: H1Connection): void {
    if (this.closing) return conn.close()
    const next = this.nextWaiter()
    if (next !== undefined) return this.send(next, conn)
    const idleMs = Math.min(
      conn.idleHintMs ?? Infinity,
      this.options.idleTimeMs ?? UPSTREAM_DEFAULTS.idleTimeMs,
    )
    if (idleMs <= 0) return conn.close()
    conn.idle(idleMs)
    this.idleConns.push(conn)
  }

  closed(conn: H1Connection, retry: Exchange | undefined): void {
    this.all.delete(conn)
    const i = this.idleConns.indexOf(conn)
    if (i !== -1) this.idleConns.splice(i, 1)
    if (retry !== undefined && !this.closing) this.send(retry)
    else if (retry !== undefined) retry.fail(new Error('connection pool closed'))
    // A place freed: the next waiter gets a fresh connection.
    const next = this.all.size < this.maxSize ? this.nextWaiter() : undefined
    if (next !== undefined) this.send(next)
    if (this.closing && this.all.size === 0) this.drained?.()
  }

  /** Closes idle connections now and fails the waiters; resolves when the busy ones finish. */
  close(): Promise<void> {
    this.closing = true
    for (const conn of this.idleConns.splice(0)) conn.close()
    for (const x of this.waiters.splice(0)) x.fail(new Error('connection pool closed'))
    if (this.all.size === 0) return Promise.resolve()
    return new Promise((resolve) => (this.drained = resolve))
  }
}
