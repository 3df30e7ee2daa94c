import type { Socket } from 'node:net'
import { headText } from './response-head.js'

/** What a response needs from the connection it is sent on. */
export interface ResponseSink {
  readonly socket: Socket
  /** The connection will close after this response (draining, or the client asked). */
  readonly closing: boolean
  readonly keepAliveHeader: string
  /** The response was handed to the socket completely. */
  finished(res: OutboundResponse): void
}

/**
 * The response to one request of the router's HTTP/1.1 server. The head is held until the first
 * body write, so that a small response leaves in one write; framing is chosen then: the given
 * `content-length`, else the length of a body given whole to `end`, else chunked (HTTP/1.1) or
 * delimited by closing the connection (HTTP/1.0). HEAD, 204 and 304 responses carry no body.
 */
export class OutboundResponse {
  statusCode = 200
  headersSent = false
  /** `end` was called and everything handed to the socket. */
  writableFinished = false
  /** The `content-length` sent, if any (for the access log). */
  contentLength: string | undefined
  /** Called once when the response is over: finished, or its connection gone. */
  onClose: ((res: OutboundResponse) => void) | undefined
  private head: string | undefined
  private chunked = false
  private bodiless = false
  private ended = false
  private closed = false

  constructor(
    private readonly sink: ResponseSink,
    private readonly isHead: boolean,
    private readonly http10: boolean,
    /** Whether the connection can carry another request after this one. */
    public keepAlive: boolean,
  ) {}

  /** Sets the status and the header fields (flat `[name, value, …]`, no hop-by-hop fields). */
  writeHead(status: number, headers: readonly string[]): void {
    if (this.headersSent) return
    const head = headText(status, headers)
    this.statusCode = status
    this.headersSent = true
    this.head = head.text
    this.contentLength = head.contentLength
    this.bodiless = this.isHead || status === 204 || status === 304 || status < 200
  }

  /** A byte of this response has left (its head was written to the socket). */
  get started(): boolean {
    return this.headersSent && this.head === undefined
  }

  /** Writes a piece of the body; false when the socket is full (wait for `onDrain`). */
  write(chunk: Buffer): boolean {
    if (this.closed || this.ended) return false
    if (!this.headersSent) this.writeHead(this.statusCode, [])
    if (this.head !== undefined) this.sendHead(undefined)
    if (this.bodiless || chunk.length === 0) return true
    const socket = this.sink.socket
    if (!this.chunked) return socket.write(chunk)
    socket.cork()
    socket.write(`${chunk.length.toString(16)}\r\n`, 'latin1')
    socket.write(chunk)
    const ok = socket.write('\r\n', 'latin1')
    socket.uncork()
    return ok
  }

  /** Ends the response, with a last piece of body if given. */
  end(chunk?: Buffer | string): void {
    if (this.closed || this.ended) return
    if (!this.headersSent) this.writeHead(this.statusCode, [])
    const body = typeof chunk === 'string' ? Buffer.from(chunk) : chunk
    const socket = this.sink.socket
    if (this.head !== undefined) this.sendWhole(body)
    else {
      socket.cork()
      if (body !== undefined && body.length > 0) this.write(body)
      if (this.chunked) socket.write('0\r\n\r\n', 'latin1')
      socket.uncork()
    }
    this.ended = true
    this.writableFinished = true
    this.sink.finished(this)
  }

  /** Calls `f` once when the socket can take more. */
  onDrain(f: () => void): void {
    this.sink.socket.once('drain', f)
  }

  /** Drops the connection (a response cut short cannot be completed). */
  destroy(): void {
    this.sink.socket.destroy()
  }

  /** @internal The response is over: finished, or the connection is gone. */
  close(): void {
    if (this.closed) return
    this.closed = true
    this.onClose?.(this)
  }

  /**
   * A response given whole to `end`: head and body leave as one buffer (a single write costs
   * less than a gathered one; a small body is copied for it).
   */
  private sendWhole(body: Buffer | undefined): void {
    const head = this.headWithFraming(body?.length ?? 0)
    const socket = this.sink.socket
    if (body === undefined || body.length === 0 || this.bodiless) socket.write(head, 'latin1')
    else if (body.length > 16_384) {
      socket.cork()
      socket.write(head, 'latin1')
      socket.write(body)
      socket.uncork()
    } else {
      const out = Buffer.allocUnsafe(head.length + body.length)
      out.write(head, 0, 'latin1')
      body.copy(out, head.length)
      socket.write(out)
    }
  }

  private sendHead(wholeBody: number | undefined): void {
    this.sink.socket.write(this.headWithFraming(wholeBody), 'latin1')
  }

  /** The head with its framing; `wholeBody` is the body's length when `end` has it all. */
  private headWithFraming(wholeBody: number | undefined): string {
    let head = this.head as string
    this.head = undefined
    if (this.bodiless) {
      // As given: a HEAD response's content-length describes the GET's body.
    } else if (this.contentLength === undefined && wholeBody !== undefined) {
      this.contentLength = String(wholeBody)
      head += `content-length: ${wholeBody}\r\n`
    } else if (this.contentLength === undefined && !this.http10) {
      this.chunked = true
      head += 'transfer-encoding: chunked\r\n'
    } else if (this.contentLength === undefined) {
      this.keepAlive = false
    }
    if (this.sink.closing) this.keepAlive = false
    if (!this.keepAlive) head += 'connection: close\r\n'
    else
      head += this.http10
        ? `connection: keep-alive\r\n${this.sink.keepAliveHeader}`
        : this.sink.keepAliveHeader
    return `${head}\r\n`
  }
}
