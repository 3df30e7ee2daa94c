import type { ResponseHandler, UpstreamRequest } from '../core/handler.js'

/**
 * One request on its way: the handler to report to and the state the connection and the pool
 * share. A request may be re-sent once on a fresh connection when a reused keep-alive connection
 * turns out to have been closed by the server before any byte of the response came back.
 */
export class Exchange {
  /** No more calls to the handler. */
  done = false
  /** A byte of the response arrived (the exchange can no longer be re-sent). */
  answered = false
  /** The request body has been written completely (or there is none). */
  bodyWritten: boolean
  /** The final (non-1xx) head arrived. */
  final = false
  /** Set by the connection carrying the exchange, so `abort` reaches it. */
  cancel: ((err: Error) => void) | undefined

  constructor(
    readonly request: UpstreamRequest,
    readonly handler: ResponseHandler,
  ) {
    this.bodyWritten = request.body === null
  }

  /** Safe to send again: nothing came back and nothing of a body was consumed. */
  get replayable(): boolean {
    const m = this.request.method
    return (
      !this.answered &&
      this.request.body === null &&
      (m === 'GET' || m === 'HEAD' || m === 'OPTIONS')
    )
  }

  fail(err: Error): void {
    if (this.done) return
    this.done = true
    this.handler.onError(err)
  }

  complete(): void {
    if (this.done) return
    this.done = true
    this.handler.onComplete()
  }
}
