/**
 * Stats accounting, as linkerd counts (finagle's StatsFilter): a call counts in its server's
 * stats from the start, in its service's once it has a name (the bind step starts that count),
 * and ends in both when its answer is over: latency, the status sent, and success (as the
 * service's response classifier says), or a failure named by its error code (`closed` when the
 * client went away first). Also keeps the router's
 * count of calls in flight, which a graceful close waits for.
 */
import type { RequestStats } from '../../metrics/index.js'
import type { Call } from '../call.js'
import { NO_FIELDS, outcome } from '../../classifiers/index.js'
import { failureName } from '../failures.js'
import type { ResponseHandler } from '../handler.js'
import type { Service, Step } from '../service.js'

/** Calls in flight in one router. */
export interface InFlight {
  count: number
}

/** The accounting step of a router whose in-flight calls are counted in `inFlight`. */
export function account(inFlight: InFlight): Step {
  return (next: Service) =>
    function accounted(call: Call, handler: ResponseHandler): void {
      inFlight.count++
      const stats = call.server.stats
      stats.requests++
      stats.pending++
      next(call, new Accounting(call, handler, inFlight))
    }
}

class Accounting implements ResponseHandler {
  private status = 0
  private fields: readonly string[] = NO_FIELDS
  private over = false

  constructor(
    private readonly call: Call,
    private readonly inner: ResponseHandler,
    private readonly inFlight: InFlight,
  ) {}

  onConnect(abort: (err: Error) => void): void {
    this.inner.onConnect(abort)
  }

  onHeaders(status: number, fields: string[], resume: () => void): boolean {
    this.status = status
    this.fields = fields
    return this.inner.onHeaders(status, fields, resume)
  }

  onData(chunk: Buffer): boolean {
    return this.inner.onData(chunk)
  }

  onComplete(trailers?: string[]): void {
    if (this.over) return
    this.inner.onComplete(trailers)
    const { call } = this
    const c = outcome(
      call.policy.classifier,
      call.request.method,
      this.status,
      this.fields,
      trailers,
    )
    this.end(c === 'success' ? undefined : (call.failure ?? 'status_5xx'))
  }

  onError(err: Error): void {
    if (this.over) return
    this.inner.onError(err)
    this.end(this.call.failure ?? failureName(err))
  }

  private end(failure: string | undefined): void {
    this.over = true
    this.inFlight.count--
    const { call } = this
    const ms = performance.now() - call.started
    count(call.server.stats, ms, failure)
    if (this.status > 0) call.server.stats.status(this.status)
    if (call.service !== undefined) count(call.service, ms, failure)
  }
}

/** Ends one call in a stats object: latency, then success or a named failure. */
function count(s: RequestStats, ms: number, failure: string | undefined): void {
  s.pending--
  s.latency.record(ms)
  if (failure === undefined) s.success++
  else s.fail(failure)
}
