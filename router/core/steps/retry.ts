/**
 * Retries (linkerd's `service.retries`): an attempt the service's classifier calls a retryable
 * failure (or a failure answered with `l5d-retryable: true`: the next router never delivered
 * it) is sent again, through pick and balance afresh, after the backoff's delay, while the
 * service's retry budget allows, the call's deadline is not reached and the body was kept. The
 * failed response is read and dropped (its connection is closed past `responseBytes`); what the
 * client gets is the last attempt's answer. An answer the classifier can judge only at its end
 * (a gRPC status in trailers) is held until then (retry-hold.ts), within `responseBytes` and
 * `classificationTimeoutMs`. Counted as `retries/*` in the service's stats.
 */
import { NO_FIELDS } from '../../classifiers/index.js'
import type { Call } from '../call.js'
import type { ResponseHandler } from '../handler.js'
import type { ServiceRetries } from '../service-policy.js'
import { resume, type Service, type Step } from '../service.js'
import { keepBody, type KeptBody } from './retry-body.js'
import { HeldAnswer, type GaveUp } from './retry-hold.js'

/** Retries of one request at most, whatever the budget allows (finagle's requeue limit). */
export const MAX_RETRIES_PER_REQUEST = 25

export const retry: Step = (next: Service) =>
  function retried(call, handler): void {
    const retries = call.retries as ServiceRetries
    retries.budget.request(call.started)
    const r = new Retrying(call, retries, handler, next, call.inbound.headers.length)
    keepBody(call, handler, call.policy.buffer.requestBytes, r)
  }

class Retrying implements ResponseHandler {
  private retries = 0
  private body: KeptBody | undefined
  /** An answer held until its end decides (see retry-hold.ts). */
  private held: HeldAnswer | undefined
  /** Reading and dropping a failed response before the next attempt. */
  private discarding = 0
  private abortAttempt: ((err: Error) => void) | undefined
  /** The call was aborted from above (client gone, deadline): no more attempts. */
  private aborted = false
  private delays: (() => number) | undefined
  private over = false
  /** The client has the answer's head: a later failure is its answer's, never retried. */
  private answered = false

  constructor(
    private readonly call: Call,
    /** The service's retry budget and stats. */
    private readonly stats: ServiceRetries,
    private readonly inner: ResponseHandler,
    private readonly next: Service,
    /** Headers the context step made; each attempt stamps its own after them. */
    private readonly baseHeaders: number,
  ) {}

  start(body: KeptBody): void {
    this.body = body
    resume(this.next, this.call, this)
  }

  onConnect(abort: (err: Error) => void): void {
    this.abortAttempt = abort
    this.inner.onConnect((err) => {
      this.aborted = true
      abort(err)
    })
  }

  onHeaders(status: number, fields: string[], resume: () => void): boolean {
    const c = this.call.policy.classifier.response(this.call.request.method, status, fields)
    if (c === undefined && this.mightRetryAtEnd(fields)) return this.hold(status, fields, resume)
    if (
      c !== undefined &&
      c !== 'success' &&
      this.mayRetry(c === 'retryable' || retryableHeader(fields))
    ) {
      this.discarding = 1
      return true
    }
    this.commit()
    return this.inner.onHeaders(status, fields, resume)
  }

  onData(chunk: Buffer): boolean {
    if (this.discarding === 0) {
      return this.held === undefined ? this.inner.onData(chunk) : this.held.data(chunk)
    }
    this.discarding += chunk.length
    if (this.discarding > this.call.policy.buffer.responseBytes + 1) {
      this.abortAttempt?.(new Error('a failed response too long to read before a retry'))
    }
    return true
  }

  onComplete(trailers?: string[]): void {
    if (this.discarding > 0) return this.again()
    const held = this.held
    if (held === undefined) {
      this.finish()
      return this.inner.onComplete(trailers)
    }
    if (held.holding && this.retryAtEnd(held, trailers)) return
    this.commit()
    this.finish()
    held.complete(trailers)
  }

  onError(err: Error): void {
    if (this.held !== undefined) {
      this.held.drop()
      this.held = undefined
    }
    if (this.discarding > 0 && !this.aborted) return this.again()
    const c = this.call.policy.classifier.error(this.call.request.method, err)
    if (this.discarding === 0 && c === 'retryable' && this.mayRetry(true)) return this.again()
    this.finish()
    this.inner.onError(err)
  }

  /** The client has (or is getting) this answer: no more attempts, no more need of a copy. */
  private commit(): void {
    this.answered = true
    this.body?.forget?.()
  }

  /** Holds an answer whose outcome its end will tell (retry-hold.ts). */
  private hold(status: number, fields: string[], resume: () => void): boolean {
    const { buffer, classificationTimeoutMs } = this.call.policy
    const gaveUp = (why: GaveUp): void => {
      this.commit()
      const { stats } = this
      const timedOut = why === 'classification_timeout'
      ;(timedOut ? stats.classificationTimeout : stats.responseStreamTooLong).value++
    }
    const limit = buffer.responseBytes
    this.held = new HeldAnswer(
      this.inner,
      status,
      fields,
      resume,
      limit,
      classificationTimeoutMs,
      gaveUp,
    )
    return true
  }

  /** At a held answer's end: whether it failed and is retried (then it is dropped). */
  private retryAtEnd(held: HeldAnswer, trailers: string[] | undefined): boolean {
    const { classifier } = this.call.policy
    const c = classifier.end(this.call.request.method, held.status, trailers ?? NO_FIELDS)
    if (c === 'success' || !this.mayRetry(c === 'retryable' || retryableHeader(held.fields))) {
      return false
    }
    held.drop()
    this.again()
    return true
  }

  /** Whether a retry could still happen (else holding an answer would only delay it). */
  private mightRetry(): boolean {
    return !this.aborted && this.retries < MAX_RETRIES_PER_REQUEST && this.replayable()
  }

  /**
   * Whether an answer left undecided by its head could be retried at its end: never when the
   * classifier's `end` never says `retryable` and the head has no `l5d-retryable: true`
   * (holding it would only cost its buffering and delay it).
   */
  private mightRetryAtEnd(fields: readonly string[]): boolean {
    if (!this.mightRetry()) return false
    return this.call.policy.classifier.endNeverRetryable !== true || retryableHeader(fields)
  }

  private replayable(): boolean {
    return this.body !== undefined && this.body.replayable
  }

  /** Whether a failure (`retryable` by the classifier or the header) is retried now. */
  private mayRetry(retryable: boolean): boolean {
    if (!retryable || this.aborted || this.answered) return false
    if (this.retries >= MAX_RETRIES_PER_REQUEST) return false
    const stats = this.stats
    if (!this.replayable()) {
      stats.streamTooLong.value++
      return false
    }
    const deadline = this.call.deadline
    if (deadline !== undefined && Date.now() >= deadline) return false
    if (stats.budget.tryRetry(performance.now())) return true
    stats.budgetExhausted.value++
    return false
  }

  /** The next attempt, after the backoff's delay (a wait the call's abort ends). */
  private again(): void {
    this.discarding = 0
    this.held = undefined
    this.call.body = (this.body as KeptBody).next()
    this.retries++
    this.stats.total.value++
    this.call.inbound.headers.length = this.baseHeaders
    this.call.avoid = this.call.endpoint
    const delay = (this.delays ??= this.call.policy.retries.backoff())()
    const timer = setTimeout(() => resume(this.next, this.call, this), delay)
    this.inner.onConnect((err) => {
      clearTimeout(timer)
      this.aborted = true
      this.finish()
      this.inner.onError(err)
    })
  }

  private finish(): void {
    if (this.over) return
    this.over = true
    this.stats.perRequest.record(this.retries)
  }
}

/** `l5d-retryable: true` among response header fields. */
function retryableHeader(fields: readonly string[]): boolean {
  for (let i = 0; i < fields.length; i += 2) {
    const name = fields[i] as string
    if (name.length === 13 && name.toLowerCase() === 'l5d-retryable') {
      return (fields[i + 1] as string).trim().toLowerCase() === 'true'
    }
  }
  return false
}
