/**
 * The HTTP/1.1 end of a call's answer: a ResponseHandler that writes to the client's
 * `OutboundResponse` with backpressure both ways (a full client socket pauses the upstream until
 * it drains). The first body chunk is held until the end of the current tick, so that a small
 * answer (head and body in one read) leaves in one write with its head, while a streamed one is
 * relayed chunk by chunk. When the client goes away first, what the call is doing (its wait or
 * its exchange) is aborted with a ClientClosedError.
 */
import { ClientClosedError } from '../core/failures.js'
import type { ResponseHandler } from '../core/handler.js'
import type { InboundRequest } from './inbound.js'
import type { OutboundResponse } from './outbound.js'

export class Downstream implements ResponseHandler {
  private abort: ((err: Error) => void) | undefined
  private resume: (() => void) | undefined
  private held: Buffer | undefined
  private wrote = false
  private over = false
  /** The client went away before the answer was over. */
  private gone = false

  constructor(
    private readonly req: InboundRequest,
    private readonly res: OutboundResponse,
  ) {
    res.onClose = () => this.closed()
  }

  onConnect(abort: (err: Error) => void): void {
    this.abort = abort
    // The client left before the call could be aborted: stop it here.
    if (this.gone) abort(new ClientClosedError())
  }

  onHeaders(status: number, fields: string[], resume: () => void): boolean {
    if (this.gone) return false
    this.resume = resume
    this.res.writeHead(status, fields)
    return true
  }

  /** Returning false pauses the upstream until the client drains what it has. */
  onData(chunk: Buffer): boolean {
    if (this.gone) return false
    if (this.held === undefined && !this.wrote) {
      this.held = chunk
      queueMicrotask(() => this.flushHeld())
      return true
    }
    this.flushHeld()
    return this.write(chunk)
  }

  onComplete(): void {
    this.over = true
    if (this.gone) return
    const held = this.held
    this.held = undefined
    if (held === undefined) this.res.end()
    else this.res.end(held)
  }

  onError(): void {
    this.over = true
    this.held = undefined
    if (!this.gone && this.res.headersSent) this.res.destroy()
    if (!this.req.bodyDone) this.req.discardBody()
  }

  private flushHeld(): void {
    const held = this.held
    if (held === undefined || this.over || this.gone) return
    this.held = undefined
    this.write(held)
  }

  private write(chunk: Buffer): boolean {
    this.wrote = true
    if (this.res.write(chunk)) return true
    if (this.resume !== undefined) this.res.onDrain(this.resume)
    return false
  }

  /** The response is over: finished, or its connection gone. */
  private closed(): void {
    if (this.over || this.res.writableFinished) return
    this.gone = true
    this.abort?.(new ClientClosedError())
  }
}
