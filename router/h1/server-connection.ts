import type { Socket } from 'node:net'
import { TLSSocket } from 'node:tls'
import { peerIdentity } from '../../lib/tls/server.js'
import { InboundRequest, type RequestSource } from './inbound.js'
import { admission, type Admission } from './admission.js'
import { OutboundResponse, type ResponseSink } from './outbound.js'
import {
  consumeSocket,
  requestParser,
  type NativeParser,
  type RequestEvents,
  type SocketFeed,
} from './parser.js'
import { parseRefusal, RequestRefusal } from './refusal.js'

/** What a server connection needs from its server. */
export interface ConnectionSetup {
  readonly maxHeaderBytes: number
  /** `keep-alive: timeout=N\r\n`, sent with every response that keeps the connection. */
  readonly keepAliveHeader: string
  /** A coarse clock (ms), advanced by the server's sweep. */
  readonly now: () => number
  readonly onRequest: (req: InboundRequest, res: OutboundResponse) => void
  readonly onGone: (conn: ServerConnection) => void
}

/** A request waiting for its turn: answered by the router, or refused here. */
interface Pending {
  readonly req: InboundRequest
  readonly res: OutboundResponse
  readonly admit: Admission
}

/** Pipelined requests held while an earlier one is answered; beyond this, reading pauses. */
const MAX_WAITING = 16

/**
 * One client connection of the router's HTTP/1.1 server. Requests are parsed by Node's native
 * parser and answered in order, one at a time: pipelined requests wait (reading pauses when too
 * many do). `Expect: 100-continue` is answered at once, other expectations with 417. A malformed
 * request gets 400 (431 for an oversized head) and the connection closes; nothing after a
 * request that ends the connection (`Connection: close`, a refusal) is read.
 *
 * A request gets at most one response. A framing error (or a timeout) found in a message whose
 * head was already handed to the router aborts that call (its upstream exchange too) and is
 * answered instead of it if no byte of its response left yet; otherwise the connection is just
 * closed (a response already sent is not followed by a 400, one under way is cut short).
 */
export class ServerConnection implements RequestEvents, RequestSource, ResponseSink {
  private readonly parser: NativeParser
  private readonly feed: SocketFeed | undefined
  private fields: string[] = []
  private url = ''
  /** The request whose message is being received. */
  private parsing: InboundRequest | undefined
  /** The request being answered, and its response. */
  private current: Pending | undefined
  private readonly waiting: Pending[] = []
  /** When the connection went idle, and when the head being received began (0: none). */
  idleSince: number
  headStarted = 0
  /** When the message being received began (0: none): its whole body has a deadline too. */
  messageStarted = 0
  closing = false
  /** No more requests are read (the connection ends after what it owes). */
  private dead = false
  /** The answer written when the connection ends (a refusal's response text). */
  private rejection: string | undefined
  /** The message being received is the connection's last (it asked to close, or is refused). */
  private lastMessage = false
  /** Reading was paused (a slow body reader, or too many pipelined requests). */
  private readPaused = false
  private identity: readonly string[] | undefined | null = null
  private remote: { address: string | undefined; port: number | undefined } | undefined

  constructor(
    readonly socket: Socket,
    private readonly setup: ConnectionSetup,
  ) {
    this.parser = requestParser(this, setup.maxHeaderBytes)
    this.idleSince = setup.now()
    this.feed = consumeSocket(this.parser, socket, (r) => this.executed(r))
    // Also with a consumed socket: a 'data' listener keeps it flowing, so that 'end' is seen.
    socket.on('data', (b: Buffer) => this.read(b))
    socket.on('end', () => this.clientEnded())
    socket.on('error', noop)
    socket.on('close', () => this.gone())
  }

  get keepAliveHeader(): string {
    return this.setup.keepAliveHeader
  }

  get remoteAddress(): string | undefined {
    return this.peer().address
  }

  get remotePort(): number | undefined {
    return this.peer().port
  }

  /** The client's address, read from the socket once. */
  private peer(): { address: string | undefined; port: number | undefined } {
    return (this.remote ??= { address: this.socket.remoteAddress, port: this.socket.remotePort })
  }

  /** The verified client certificate's names (mTLS), read once; undefined without one. */
  get peerIdentity(): readonly string[] | undefined {
    if (this.identity === null) {
      this.identity = this.socket instanceof TLSSocket ? peerIdentity(this.socket) : undefined
    }
    return this.identity
  }

  /** Nothing in progress: no request being received, answered or waiting. */
  get idle(): boolean {
    return this.current === undefined && this.parsing === undefined && this.headStarted === 0
  }

  /** Graceful close: an idle connection closes now, a busy one after its current response. */
  drain(): void {
    this.closing = true
    if (this.idle && this.waiting.length === 0) this.shut()
  }

  /**
   * Ends a connection whose request has taken too long to arrive (`late`: 408 if that request
   * can still get it, see `refuse`), or that stayed idle too long (closed quietly).
   */
  expire(late: RequestRefusal | undefined): void {
    if (late === undefined) this.socket.destroy()
    else this.refuse(late)
  }

  private read(b: Buffer): void {
    if (!this.dead) this.executed(this.parser.execute(b))
  }

  private executed(r: number | Error): void {
    if (typeof r !== 'number' && !this.dead) this.malformed(r)
  }

  begin(): void {
    this.headStarted = this.messageStarted = this.setup.now()
  }

  headers(fields: string[], url: string): void {
    for (const f of fields) this.fields.push(f)
    this.url += url
  }

  head(
    method: string,
    url: string | undefined,
    fields: string[] | undefined,
    version: string,
    upgrade: boolean,
    keepAlive: boolean,
  ): void {
    this.headStarted = 0
    const raw = fields ?? this.takeFields()
    if (this.dead) {
      // Bytes after a request that ends the connection (refused, upgrade, malformed): ignored.
      this.url = ''
      return
    }
    const target = url ?? this.takeUrl()
    const req = new InboundRequest(method, target, version, raw, this)
    this.parsing = req
    this.lastMessage = !keepAlive
    // An upgrade (or CONNECT) hands the rest of the connection to another protocol, which a
    // router of HTTP requests does not carry: answer it as a plain request, then close.
    if (upgrade || method === 'CONNECT') this.dead = true
    const res = new OutboundResponse(
      this,
      method === 'HEAD',
      version !== '1.1',
      keepAlive && !this.dead,
    )
    const admit = admission(method, target, version, raw)
    if (admit.refusal !== undefined) {
      // Refused here, never reaching the router; the connection closes after the answer.
      this.dead = true
      res.keepAlive = false
      req.discardBody()
    }
    this.enqueue({ req, res, admit })
  }

  body(chunk: Buffer): void {
    this.parsing?.pushBody(chunk)
  }

  complete(): void {
    this.parsing?.complete()
    this.parsing = undefined
    this.messageStarted = 0
    // Bytes after the last message are not requests (not even malformed ones): never answered.
    if (this.lastMessage) this.dead = true
    // The body's reader may have paused the socket just before its end: read on.
    this.resumeReading()
    // Idle time counts from the end of the request when the response left first.
    this.idleSince = this.setup.now()
  }

  pauseReading(): void {
    this.readPaused = true
    if (this.feed !== undefined) this.feed.pause()
    else this.socket.pause()
  }

  resumeReading(): void {
    if (!this.readPaused || this.waiting.length >= MAX_WAITING || this.socket.destroyed) return
    this.readPaused = false
    if (this.feed !== undefined) this.feed.resume()
    else this.socket.resume()
  }

  finished(res: OutboundResponse): void {
    const current = this.current
    if (current === undefined || current.res !== res) return
    this.current = undefined
    current.req.answered = true
    if (!current.req.received) current.req.discardBody()
    res.close()
    if (!res.keepAlive) return this.shut()
    const next = this.waiting.shift()
    if (next !== undefined) {
      if (this.waiting.length === MAX_WAITING - 1) this.resumeReading()
      // Not from inside end(): a long pipeline answered synchronously must not nest.
      process.nextTick(() => this.dispatch(next))
    } else if (this.closing) this.shut()
    else this.idleSince = this.setup.now()
  }

  private enqueue(p: Pending): void {
    if (this.current === undefined && this.waiting.length === 0) return this.dispatch(p)
    this.waiting.push(p)
    if (this.waiting.length >= MAX_WAITING) this.pauseReading()
  }

  private dispatch(p: Pending): void {
    if (this.socket.destroyed) return
    if (this.current !== undefined) return void this.waiting.unshift(p)
    this.current = p
    if (p.admit.refusal !== undefined) {
      p.res.writeHead(p.admit.refusal.statusCode, p.admit.refusal.fields())
      return p.res.end(p.admit.refusal.body)
    }
    if (p.admit.expectContinue && !p.req.received) {
      this.socket.write('HTTP/1.1 100 Continue\r\n\r\n', 'latin1')
    }
    this.setup.onRequest(p.req, p.res)
  }

  private malformed(err: Error): void {
    this.refuse(parseRefusal(err))
  }

  /**
   * Ends the connection for the message being received (malformed, or too slow): it and
   * nothing after it is answered. Its call, if routed already, is aborted (closing its response
   * aborts the call and its upstream exchange). The refusal is its one response unless a byte of
   * another response to it has left; requests before it are answered first.
   */
  private refuse(refusal: RequestRefusal): void {
    this.dead = true
    const bad = this.parsing
    this.parsing = undefined
    this.headStarted = this.messageStarted = 0
    bad?.abort()
    const queued = this.waiting.findIndex((p) => p.req === bad)
    if (queued !== -1) this.waiting.length = queued
    const current = this.current
    if (current !== undefined && current.req === bad) {
      // Under way: cut short (the socket's close aborts the call); not yet begun: replaced.
      if (current.res.started) return void this.socket.destroy()
      this.current = undefined
      current.res.close()
    } else if (bad?.answered === true) return this.shut()
    this.rejection = refusal.response()
    if (this.current === undefined && this.waiting.length === 0) this.shut()
    else this.closing = true
  }

  /**
   * The client closed its side. As node:http (and Finagle) do, that abandons whatever it has not
   * been answered yet: the requests are cancelled upstream rather than answered into the void.
   */
  private clientEnded(): void {
    if (this.current === undefined && this.waiting.length === 0 && this.parsing === undefined)
      this.shut()
    else this.socket.destroy()
  }

  /** Ends the connection after what is already written (and a pending rejection). */
  private shut(): void {
    this.dead = true
    if (this.socket.destroyed) return
    if (this.rejection !== undefined) this.socket.end(this.rejection, 'latin1')
    else this.socket.end()
    this.rejection = undefined
  }

  private gone(): void {
    this.dead = true
    this.parsing?.abort()
    this.parsing = undefined
    const current = this.current
    this.current = undefined
    if (current !== undefined) {
      current.req.abort()
      current.res.close()
    }
    this.waiting.length = 0
    this.feed?.release()
    this.parser.free()
    this.setup.onGone(this)
  }

  private takeFields(): string[] {
    const f = this.fields
    this.fields = []
    return f
  }

  private takeUrl(): string {
    const u = this.url
    this.url = ''
    return u
  }
}

function noop(): void {}
