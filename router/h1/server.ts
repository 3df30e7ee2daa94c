import { createServer, type Server, type Socket } from 'node:net'
import { createServer as createTlsServer, type TlsOptions } from 'node:tls'
import type { InboundRequest } from './inbound.js'
import type { OutboundResponse } from './outbound.js'
import { RequestRefusal } from './refusal.js'
import { ServerConnection, type ConnectionSetup } from './server-connection.js'

/** The server's bounds on its clients (the config keys of a router's `servers` entries). */
export interface H1ServerOptions {
  /** Largest request head accepted; a larger one gets 431. */
  readonly maxHeaderBytes: number
  /** An idle keep-alive connection is closed after this long (default 65 s, as node:http). */
  readonly idleTimeoutMs?: number
  /** A request head must arrive within this long, or 408 (default 60 s, as node:http). */
  readonly headTimeoutMs?: number
  /**
   * A whole request (head and body) must arrive within this long, or 408 (default 300 s, as
   * node:http's `requestTimeout`): a client that stalls mid-body does not hold its connection.
   */
  readonly receiveTimeoutMs?: number
  /** Serve HTTPS: the TLS server's options (lib/tls/server.ts); absent, plain HTTP. */
  readonly tls?: TlsOptions
  /**
   * Called once per connection (TLS: once its handshake is done). A listener returned answers
   * all of that connection's requests instead of the server's one (a client refused).
   */
  readonly refuse?: (socket: Socket) => RequestListener | undefined
}

export type RequestListener = (req: InboundRequest, res: OutboundResponse) => void

/**
 * The router's HTTP/1.1 server: a TCP server whose connections parse requests with Node's native
 * parser and answer them through `OutboundResponse`, without node:http's per-request objects and
 * events (measured: benchmarks/README.md). One timer per server enforces the timeouts, on a
 * clock it advances itself, so that no request pays for a timer.
 */
export class H1Server {
  readonly server: Server
  private readonly connections = new Set<ServerConnection>()
  /** A TLS handshake may end after `drain()`: its connection is drained as it is accepted. */
  private draining = false
  private readonly setup: ConnectionSetup
  private readonly keepAliveMs: number
  private readonly headersMs: number
  private readonly requestMs: number
  private readonly sweeper: NodeJS.Timeout
  private clock = Date.now()
  private readonly whenClosed: Array<() => void> = []
  private readonly refuse: ((socket: Socket) => RequestListener | undefined) | undefined

  constructor(o: H1ServerOptions, onRequest: RequestListener) {
    this.keepAliveMs = o.idleTimeoutMs ?? 65_000
    this.headersMs = o.headTimeoutMs ?? 60_000
    this.requestMs = o.receiveTimeoutMs ?? 300_000
    this.refuse = o.refuse
    this.setup = {
      maxHeaderBytes: o.maxHeaderBytes,
      keepAliveHeader: `keep-alive: timeout=${Math.floor(this.keepAliveMs / 1000)}\r\n`,
      now: () => this.clock,
      onRequest,
      onGone: (c) => {
        this.connections.delete(c)
        this.checkClosed()
      },
    }
    // A TLS connection is handed over once its handshake is done; it is read as a plain one
    // (the native parser consumes a TLS socket's handle as well, as node:https does). Not
    // half-open: a client gone mid-handshake must end its socket (and count as a failure); a
    // client's end abandons what it has not been answered yet either way (clientEnded).
    this.server =
      o.tls === undefined
        ? createServer({ noDelay: true, allowHalfOpen: true }, (s) => this.accept(s))
        : createTlsServer({ ...o.tls, noDelay: true }, (s) => this.accept(s))
    const shortest = Math.min(this.keepAliveMs, this.headersMs, this.requestMs)
    const every = Math.max(10, Math.min(1000, shortest / 4))
    this.sweeper = setInterval(() => this.sweep(), every).unref()
    // Timeouts keep running while draining: a connection stuck mid-head still gets its 408.
    this.server.on('close', () => {
      clearInterval(this.sweeper)
      this.checkClosed()
    })
  }

  /** Connections open now. */
  get size(): number {
    return this.connections.size
  }

  /** Stops accepting; idle connections close now, busy ones after their current response. */
  drain(): void {
    this.draining = true
    this.server.close()
    for (const c of this.connections) c.drain()
  }

  /** Closes every connection at once. */
  destroyAll(): void {
    for (const c of this.connections) c.socket.destroy()
  }

  /**
   * Resolves when the server has stopped accepting and every connection is gone (each response
   * in progress has had its `onClose`).
   */
  closed(): Promise<void> {
    return new Promise((resolve) => {
      this.whenClosed.push(resolve)
      this.checkClosed()
    })
  }

  private checkClosed(): void {
    if (this.server.listening || this.connections.size > 0) return
    for (const resolve of this.whenClosed.splice(0)) resolve()
  }

  private accept(socket: Socket): void {
    const refused = this.refuse?.(socket)
    const setup = refused === undefined ? this.setup : { ...this.setup, onRequest: refused }
    const conn = new ServerConnection(socket, setup)
    this.connections.add(conn)
    if (this.draining) conn.drain()
  }

  private lateHead(): RequestRefusal {
    const why = `request head not received within ${this.headersMs} ms (headTimeoutMs)`
    return new RequestRefusal('ERR_RECEIVE_TIMEOUT', why)
  }

  private lateRequest(): RequestRefusal {
    const why = `request not received within ${this.requestMs} ms (receiveTimeoutMs)`
    return new RequestRefusal('ERR_RECEIVE_TIMEOUT', why)
  }

  private sweep(): void {
    const now = (this.clock = Date.now())
    for (const c of this.connections) {
      if (c.headStarted !== 0 && now - c.headStarted > this.headersMs) c.expire(this.lateHead())
      else if (c.messageStarted !== 0 && now - c.messageStarted > this.requestMs)
        c.expire(this.lateRequest())
      else if (c.idle && now - c.idleSince > this.keepAliveMs) c.expire(undefined)
    }
  }
}
