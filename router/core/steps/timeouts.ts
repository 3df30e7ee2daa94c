/**
 * Timeouts: a service's `totalTimeoutMs` covers everything after binding (finding an endpoint,
 * sending, the whole response, every retry); a client's `requestAttemptTimeoutMs` covers one
 * attempt at one endpoint. Either one fails the call with a 503 (`ERR_TIMEOUT`, linkerd's
 * wording) and aborts its upstream exchange. A deadline received from the previous router
 * (`l5d-ctx-deadline`) bounds the call too: one already past is answered at once, without
 * sending (504 `ERR_DEADLINE_EXCEEDED`), and so is one that passes meanwhile. The earlier of the
 * two (and of a gRPC call's `grpc-timeout`, grpc-deadline.ts) is the call's deadline, propagated
 * to the next router. A call with neither pays nothing.
 */
import { RouterError } from '../../errors.js'
import type { Call } from '../call.js'
import { MAX_TIMER_MS } from '../../../lib/config/common.js'
import { finagleDuration } from '../failures.js'
import type { ResponseHandler } from '../handler.js'
import { resume, type Service, type Step } from '../service.js'

/** The service's total timeout and the received deadline, when the call has either. */
export const totalTimeout: Step = (next: Service) =>
  function totalTimed(call, handler): void {
    const ms = call.policy.totalTimeoutMs
    const received = call.inbound.deadline
    if (ms === undefined && received === undefined) return next(call, handler)
    const now = Date.now()
    const byTotal = ms === undefined ? Infinity : now + ms
    const byCaller = received === undefined ? Infinity : readDeadline(received, now)
    if (byCaller <= now) throw deadlineExceeded(call, byCaller, now)
    if (byTotal === Infinity && byCaller === Infinity) return next(call, handler)
    if (byTotal <= byCaller) {
      call.deadline = earlier(call.deadline, byTotal)
      const error = (): Error =>
        timeoutError(call, ms as number, 'including retries (if applicable)')
      return resume(next, call, new Deadline(handler, ms as number, error))
    }
    call.deadline = earlier(call.deadline, byCaller)
    const error = (): Error => deadlineExceeded(call, byCaller, Date.now())
    resume(next, call, new Deadline(handler, byCaller - now, error))
  }

/** The earlier of a deadline already set (a gRPC call's own) and `deadline`. */
function earlier(set: number | undefined, deadline: number): number {
  return set === undefined ? deadline : Math.min(set, deadline)
}

/** `<set at ns> <deadline ns>`: two decimal integers (linkerd writes and reads nothing else). */
const DEADLINE = /^\s*\d{1,40} (\d{1,40})\s*$/

/**
 * The strictest of `l5d-ctx-deadline` values (`<set at ns> <deadline ns>`), in epoch ms;
 * Infinity when none can be read (a malformed value is ignored, as linkerd ignores it).
 */
export function readDeadline(values: readonly string[], now = Date.now()): number {
  let earliest = Infinity
  for (const value of values) {
    const m = DEADLINE.exec(value)
    if (m !== null) earliest = Math.min(earliest, nsToMs(m[1] as string))
  }
  // A deadline past a timer's reach is kept at its reach (as good as none, and sendable).
  return earliest === Infinity ? earliest : Math.min(earliest, now + MAX_TIMER_MS)
}

/** Epoch ns (decimal digits) to ms, exact for whole ms (the ns value is beyond 2^53). */
function nsToMs(ns: string): number {
  const cut = ns.length - 6
  return cut <= 0 ? Number(ns) / 1e6 : Number(ns.slice(0, cut)) + Number(ns.slice(cut)) / 1e6
}

function deadlineExceeded(call: Call, deadline: number, now: number): RouterError {
  const late = Math.round(now - deadline)
  const text = `the caller's deadline (l5d-ctx-deadline) passed ${late} ms ago`
  return new RouterError('ERR_DEADLINE_EXCEEDED', `${text}\n\nservice name: ${call.name}`)
}

/** The client's attempt timeout, when the call's client has one. */
export const attemptTimeout: Step = (next: Service) =>
  function attemptTimed(call, handler): void {
    const ms = call.client?.attemptTimeoutMs
    if (ms === undefined) return next(call, handler)
    const error = (): Error => timeoutError(call, ms, `from ${call.client?.id ?? '?'}`)
    resume(next, call, new Deadline(handler, ms, error))
  }

function timeoutError(call: Call, ms: number, what: string): RouterError {
  const text = `exceeded ${finagleDuration(ms)} while waiting for a response for the request, ${what}`
  return new RouterError('ERR_TIMEOUT', `${text}\n\nservice name: ${call.name}`)
}

/**
 * Fails the exchange with `error()` unless it is over within `ms`: aborts it if it has
 * started, else fails the call at once and aborts the exchange as soon as it starts.
 */
export class Deadline implements ResponseHandler {
  private abort: ((err: Error) => void) | undefined
  private over = false
  private readonly timer: NodeJS.Timeout

  constructor(
    private readonly inner: ResponseHandler,
    ms: number,
    private readonly error: () => Error,
  ) {
    this.timer = setTimeout(() => this.expire(), ms)
  }

  onConnect(abort: (err: Error) => void): void {
    if (this.over) return abort(new Error('request timed out before it was sent'))
    this.abort = abort
    this.inner.onConnect(abort)
  }

  onHeaders(status: number, fields: string[], resume: () => void): boolean {
    return !this.over && this.inner.onHeaders(status, fields, resume)
  }

  onData(chunk: Buffer): boolean {
    return !this.over && this.inner.onData(chunk)
  }

  onComplete(trailers?: string[]): void {
    if (this.finish()) this.inner.onComplete(trailers)
  }

  onError(err: Error): void {
    if (this.finish()) this.inner.onError(err)
  }

  private expire(): void {
    if (this.over) return
    const err = this.error()
    if (this.abort !== undefined) this.abort(err)
    // Not yet sent, or the exchange did not report its abort: fail the call now.
    this.onError(err)
  }

  /** True the first time the exchange ends. */
  private finish(): boolean {
    if (this.over) return false
    this.over = true
    clearTimeout(this.timer)
    return true
  }
}
