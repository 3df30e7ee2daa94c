import { H1Connection, type ConnectionOwner } from './connection.js'
import { Exchange } from './exchange.js'
import type { ResponseHandler, UpstreamRequest } from '../core/handler.js'

export interface H1PoolOptions {
  /** Longest an idle connection is kept (default 60 s; shorter if the server says so). */
  readonly idleTimeMs?: number
  /** Longest a connection may take to establish (default 10 s). */
  readonly connectTimeoutMs?: number
}

/**
 * Keep-alive HTTP/1.1 connections to one endpoint: a request takes the most recently used idle
 * connection or opens a new one (no limit: one per concurrent request, as the proxy needs).
 * An idle connection closes after the server's keep-alive hint (less a second) or `idleTimeMs`.
 * `close()` closes idle connections at once and busy ones when their exchange ends.
 */
export class H1Pool implements ConnectionOwner {
  private readonly idleConns: H1Connection[] = []
  private readonly all = new Set<H1Connection>()
  private closing = false
  private drained: (() => void) | undefined

  constructor(
    private readonly host: string,
    private readonly port: number,
    private readonly options: H1PoolOptions = {},
  ) {}

  /** Sends `request`; the outcome goes to `handler` (see ResponseHandler). */
  dispatch(request: UpstreamRequest, handler: ResponseHandler): void {
    const x = new Exchange(request, handler)
    handler.onConnect((err) => {
      if (x.cancel !== undefined) x.cancel(err)
      else x.fail(err)
    })
    if (x.done) return
    if (this.closing) return x.fail(new Error('connection pool closed'))
    this.send(x, this.idleConns.pop())
  }

  /** Connections open now (idle and busy), for tests and admin pages. */
  get size(): number {
    return this.all.size
  }

  private send(x: Exchange, conn = this.open()): void {
    conn.busy()
    conn.send(x)
  }

  private open(): H1Connection {
    const conn = new H1Connection(
      this.host,
      this.port,
      this,
      this.options.connectTimeoutMs ?? 10_000,
    )
    this.all.add(conn)
    return conn
  }

  release(conn: H1Connection): void {
    if (this.closing) return conn.close()
    const idleMs = Math.min(conn.idleHintMs ?? Infinity, this.options.idleTimeMs ?? 60_000)
    conn.idle(idleMs)
    this.idleConns.push(conn)
  }

  closed(conn: H1Connection, retry: Exchange | undefined): void {
    this.all.delete(conn)
    const i = this.idleConns.indexOf(conn)
    if (i !== -1) this.idleConns.splice(i, 1)
    if (retry !== undefined && !this.closing) this.send(retry)
    else if (retry !== undefined) retry.fail(new Error('connection pool closed'))
    if (this.closing && this.all.size === 0) this.drained?.()
  }

  /** Closes idle connections now; resolves when the busy ones have finished. */
  close(): Promise<void> {
    this.closing = true
    for (const conn of this.idleConns.splice(0)) conn.close()
    if (this.all.size === 0) return Promise.resolve()
    return new Promise((resolve) => (this.drained = resolve))
  }
}
