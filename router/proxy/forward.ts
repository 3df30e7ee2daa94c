import type { ExchangeHandler } from './h1/handler.js'
import type { InboundRequest } from './h1/inbound.js'
import type { OutboundResponse } from './h1/outbound.js'
import type { H1Pool } from './h1/pool.js'
import { downstreamResponseHeaders } from './headers.js'

/** How a forwarded request ended, for stats, balancers and error responses. */
export interface ForwardResult {
  /** Upstream status, or 0 if no response head arrived. */
  readonly status: number
  /** Set if the exchange failed. */
  readonly error?: Error
  /** Whether the response had started downstream when it ended (an error can no longer be sent). */
  readonly responded: boolean
}

export interface ForwardRequest {
  readonly method: string
  readonly path: string
  /** Flat `[name, value, …]` list, already filtered and stamped. */
  readonly headers: string[]
  readonly hasBody: boolean
  readonly viaEntry: string
  readonly clearContext: boolean
  /** Abort with `error()` if no complete response within `ms`. */
  readonly timeout?: { readonly ms: number; readonly error: () => Error }
  readonly done: (result: ForwardResult) => void
}

/** A forwarded exchange in progress; `cancel` aborts it (the client went away). */
export interface Forwarding {
  cancel(): void
}

/**
 * Sends `req` to `upstream` (the keep-alive pool of one endpoint) and streams the answer into `res`,
 * with backpressure both ways. One handler object per request, no promises; `done` is called
 * exactly once. The caller cancels it if the client goes away first.
 */
export function forward(
  upstream: H1Pool,
  req: InboundRequest,
  res: OutboundResponse,
  r: ForwardRequest,
): Forwarding {
  const handler = new ForwardHandler(req, res, r)
  if (r.timeout !== undefined) handler.arm(r.timeout.ms, r.timeout.error)
  upstream.dispatch(
    { method: r.method, path: r.path, headers: r.headers, body: r.hasBody ? req.body : null },
    handler,
  )
  return handler
}

/**
 * The handler of one upstream exchange. The first body chunk is held until the end of the current
 * tick: a small response (head and body in one read) then goes out as one write with its head,
 * while a streamed one is relayed chunk by chunk as it comes.
 */
class ForwardHandler implements ExchangeHandler, Forwarding {
  private abort: ((err: Error) => void) | undefined
  private resume: (() => void) | undefined
  private held: Buffer | undefined
  private wrote = false
  private status = 0
  private finished = false
  private timer: NodeJS.Timeout | undefined

  constructor(
    private readonly req: InboundRequest,
    private readonly res: OutboundResponse,
    private readonly r: ForwardRequest,
  ) {}

  cancel(): void {
    if (this.finished) return
    const err = new Error('client closed the connection')
    if (this.abort !== undefined) this.abort(err)
    else this.onError(err)
  }

  /** Fails the exchange with `error()` unless it finishes within `ms`. */
  arm(ms: number, error: () => Error): void {
    this.timer = setTimeout(() => {
      if (this.finished) return
      const err = error()
      if (this.abort !== undefined) this.abort(err)
      else this.onError(err)
    }, ms)
  }

  onConnect(abort: (err: Error) => void): void {
    this.abort = abort
    // Cancelled or timed out before the pool got this far: stop it here.
    if (this.finished) abort(new Error('request cancelled'))
  }

  onHeaders(statusCode: number, rawHeaders: string[], resume: () => void): boolean {
    if (this.finished) return false
    if (statusCode < 200) return true
    this.status = statusCode
    this.resume = resume
    this.res.writeHead(
      statusCode,
      downstreamResponseHeaders(rawHeaders, this.r.viaEntry, this.r.clearContext),
    )
    return true
  }

  /** Returning false pauses the upstream until the client drains what it has. */
  onData(chunk: Buffer): boolean {
    if (this.finished) return false
    if (this.held === undefined && !this.wrote) {
      this.held = chunk
      queueMicrotask(() => this.flushHeld())
      return true
    }
    this.flushHeld()
    return this.write(chunk)
  }

  private flushHeld(): void {
    const held = this.held
    if (held === undefined || this.finished) return
    this.held = undefined
    this.write(held)
  }

  private write(chunk: Buffer): boolean {
    this.wrote = true
    if (this.res.write(chunk)) return true
    if (this.resume !== undefined) this.res.onDrain(this.resume)
    return false
  }

  onComplete(): void {
    if (this.finished) return
    const held = this.held
    this.held = undefined
    this.finish()
    if (held === undefined) this.res.end()
    else this.res.end(held)
  }

  onError(err: Error): void {
    if (this.finished) return
    this.held = undefined
    const responded = this.res.headersSent
    if (responded) this.res.destroy()
    this.finish(err, responded)
  }

  private finish(error?: Error, responded = true): void {
    if (this.finished) return
    this.finished = true
    if (this.timer !== undefined) clearTimeout(this.timer)
    const status = this.status
    this.r.done(error === undefined ? { status, responded } : { status, error, responded })
    if (error !== undefined && !this.req.bodyDone) this.req.discardBody()
  }
}
