import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Dispatcher } from 'undici'
import { downstreamResponseHeaders } from './headers.js'

/** How a forwarded request ended, for stats, balancers and error responses. */
export interface ForwardResult {
  /** Upstream status, or 0 if no response head arrived. */
  readonly status: number
  /** Set if the exchange failed; `connected` says whether a response head had been sent on. */
  readonly error?: Error
  readonly responded: boolean
}

export interface ForwardRequest {
  readonly method: string
  readonly path: string
  /** Flat `[name, value, …]` list, already filtered and stamped. */
  readonly headers: string[]
  readonly viaEntry: string
  readonly clearContext: boolean
  readonly done: (result: ForwardResult) => void
}

function hasBody(req: IncomingMessage): boolean {
  return req.headers['content-length'] !== undefined
    ? req.headers['content-length'] !== '0'
    : req.headers['transfer-encoding'] !== undefined
}

/**
 * Sends `req` to `upstream` (an undici Pool for one endpoint) and streams the answer into `res`,
 * with backpressure both ways. One handler object per request, no promises; `done` is called
 * exactly once. If the client goes away first, the upstream request is aborted.
 */
export function forward(
  upstream: Dispatcher,
  req: IncomingMessage,
  res: ServerResponse,
  r: ForwardRequest,
): void {
  const handler = new ForwardHandler(req, res, r)
  upstream.dispatch(
    {
      method: r.method as Dispatcher.HttpMethod,
      path: r.path,
      headers: r.headers,
      body: hasBody(req) ? req : null,
      // A proxy cannot know whether the request is safe to pipeline or replay.
      idempotent: false,
      blocking: true,
    },
    handler,
  )
}

class ForwardHandler implements Dispatcher.DispatchHandler {
  private abort: ((err?: Error) => void) | undefined
  private resume: (() => void) | undefined
  private status = 0
  private finished = false

  constructor(
    private readonly req: IncomingMessage,
    private readonly res: ServerResponse,
    private readonly r: ForwardRequest,
  ) {
    res.once('close', () => {
      if (!this.finished) this.abort?.(new Error('client closed the connection'))
    })
  }

  onConnect(abort: (err?: Error) => void): void {
    this.abort = abort
  }

  onHeaders(statusCode: number, rawHeaders: Buffer[], resume: () => void): boolean {
    if (statusCode < 200) return true
    this.status = statusCode
    this.resume = resume
    const headers = downstreamResponseHeaders(rawHeaders, this.r.viaEntry, this.r.clearContext)
    this.res.writeHead(statusCode, headers)
    return true
  }

  /** Returning false pauses undici until the client drains what it has. */
  onData(chunk: Buffer): boolean {
    if (this.res.write(chunk)) return true
    if (this.resume !== undefined) this.res.once('drain', this.resume)
    return false
  }

  onComplete(): void {
    this.finish()
    this.res.end()
  }

  onError(err: Error): void {
    const responded = this.res.headersSent
    if (responded) this.res.destroy(err)
    this.finish(err, responded)
  }

  private finish(error?: Error, responded = true): void {
    if (this.finished) return
    this.finished = true
    this.r.done(
      error === undefined
        ? { status: this.status, responded }
        : { status: this.status, error, responded },
    )
    if (error !== undefined && !this.req.readableEnded) this.req.resume()
  }
}
