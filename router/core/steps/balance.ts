/**
 * Balancing: the call's client picks an endpoint (its load balancer, counting it in flight) and
 * the attempt is counted in the client's stats; when the attempt is over the balancer hears its
 * latency and outcome (a 5xx or an error is a failure). An upstream failure becomes the router's
 * 502, naming the endpoint and the client's addresses. No endpoint at all is a 502 too. A call
 * with an override takes its endpoint through the override guard (override-guard.ts).
 */
import { RouterError } from '../../errors.js'
import type { Endpoint } from '../../model.js'
import type { Call } from '../call.js'
import type { UpstreamClient } from '../clients.js'
import { ClientClosedError, failureName, noEndpoints, upstreamError } from '../failures.js'
import type { ResponseHandler } from '../handler.js'
import type { OverrideGuard } from '../override-guard.js'
import { resume, type Service, type Step } from '../service.js'

/** The balance step; with `guard`, a call with an override never reaches the router itself. */
export const balance =
  (guard?: OverrideGuard): Step =>
  (next: Service) =>
    function balanced(call, handler): void {
      const client = call.client as UpstreamClient
      const endpoint =
        guard === undefined || call.local.dtab.length === 0
          ? client.balancer.acquire()
          : guard.acquire(call, client)
      if (endpoint === undefined) throw noEndpoints(client, call.name)
      call.endpoint = endpoint
      const stats = client.stats
      stats.requests++
      stats.pending++
      resume(next, call, new Attempt(call, client, endpoint, handler))
    }

/** One attempt at one endpoint, ended exactly once. */
class Attempt implements ResponseHandler {
  private readonly started = performance.now()
  private status = 0
  private over = false

  constructor(
    private readonly call: Call,
    private readonly client: UpstreamClient,
    private readonly endpoint: Endpoint,
    private readonly inner: ResponseHandler,
  ) {}

  onConnect(abort: (err: Error) => void): void {
    this.inner.onConnect(abort)
  }

  onHeaders(status: number, fields: string[], resume: () => void): boolean {
    this.status = status
    this.client.stats.status(status)
    return this.inner.onHeaders(status, fields, resume)
  }

  onData(chunk: Buffer): boolean {
    return this.inner.onData(chunk)
  }

  onComplete(): void {
    if (this.over) return
    this.end(this.status < 500 ? undefined : 'status_5xx')
    this.inner.onComplete()
  }

  onError(err: Error): void {
    if (this.over) return
    this.end(failureName(err))
    this.inner.onError(this.routerError(err))
  }

  private end(failure: string | undefined): void {
    this.over = true
    const latencyMs = performance.now() - this.started
    const { balancer, stats } = this.client
    balancer.release(this.endpoint, latencyMs, failure === undefined)
    stats.pending--
    stats.latency.record(latencyMs)
    if (failure === undefined) stats.success++
    else stats.fail(failure)
  }

  private routerError(err: Error): Error {
    if (err instanceof RouterError || err instanceof ClientClosedError) return err
    return upstreamError(err, this.client, this.endpoint, this.call.name)
  }
}
