/**
 * Balancing: the call's client picks an endpoint (its load balancer, counting it in flight) and
 * the attempt is counted in the client's stats; when the attempt is over the balancer hears its
 * latency and outcome (the service's classifier says what a success is). An attempt that never
 * reached its endpoint (it could not connect, or the endpoint's connection pool had no room) is
 * requeued at once to another endpoint of the client, whatever the method, within the client's
 * `requeueBudget` (`retries/requeues`). An upstream failure becomes the router's 502, naming the
 * endpoint and the client's addresses; no endpoint at all is a 502 too. A call with an override
 * takes its endpoint through the override guard (override-guard.ts).
 */
import { RouterError } from '../../errors.js'
import type { Endpoint } from '../../model.js'
import type { Call } from '../call.js'
import type { UpstreamClient } from '../clients.js'
import { ClientClosedError, failureName, noEndpoints, upstreamError } from '../failures.js'
import { neverSent, type ResponseHandler } from '../handler.js'
import type { OverrideGuard } from '../override-guard.js'
import { resume, type Service, type Step } from '../service.js'

/** Requeues of one request at most, whatever the budget allows (finagle's limit). */
export const MAX_REQUEUES_PER_REQUEST = 25

/** The balance step; with `guard`, a call with an override never reaches the router itself. */
export const balance = (guard?: OverrideGuard): Step => {
  const acquire = (call: Call, client: UpstreamClient, avoid?: Endpoint): Endpoint => {
    const endpoint =
      guard === undefined || call.local.dtab.length === 0
        ? client.balancer.acquire(avoid)
        : guard.acquire(call, client, avoid)
    if (endpoint === undefined) throw noEndpoints(client, call.name)
    return endpoint
  }
  return (next: Service) =>
    function balanced(call, handler): void {
      const client = call.client as UpstreamClient
      client.requeues.budget.request(performance.now())
      const endpoint = acquire(call, client, call.avoid)
      start(call, client, endpoint, new Attempts(call, client, handler, next, acquire))
    }
}

/** What the attempts of one call at one client share. */
class Attempts {
  constructor(
    readonly call: Call,
    readonly client: UpstreamClient,
    readonly handler: ResponseHandler,
    readonly next: Service,
    readonly acquire: (call: Call, client: UpstreamClient, avoid?: Endpoint) => Endpoint,
  ) {}

  /** Sends the call again, avoiding `failed`, if the budget allows; false if not. */
  requeue(failed: Endpoint): boolean {
    const { client } = this
    // With one endpoint, sending to it again would only add load to what just failed.
    if (this.call.requeues >= MAX_REQUEUES_PER_REQUEST || client.balancer.endpoints.length < 2) {
      return false
    }
    if (!client.requeues.budget.tryRetry(performance.now())) {
      client.requeues.budgetExhausted.value++
      return false
    }
    const endpoint = this.acquire(this.call, client, failed)
    this.call.requeues++
    client.requeues.total.value++
    start(this.call, client, endpoint, this)
    return true
  }
}

function start(call: Call, client: UpstreamClient, endpoint: Endpoint, attempts: Attempts): void {
  call.endpoint = endpoint
  const stats = client.stats
  stats.requests++
  stats.pending++
  resume(attempts.next, call, new Attempt(attempts, endpoint))
}

/** One attempt at one endpoint, ended exactly once. */
class Attempt implements ResponseHandler {
  private readonly started = performance.now()
  private status = 0
  private over = false

  constructor(
    private readonly attempts: Attempts,
    private readonly endpoint: Endpoint,
  ) {}

  onConnect(abort: (err: Error) => void): void {
    this.attempts.handler.onConnect(abort)
  }

  onHeaders(status: number, fields: string[], resume: () => void): boolean {
    this.status = status
    this.attempts.client.stats.status(status)
    return this.attempts.handler.onHeaders(status, fields, resume)
  }

  onData(chunk: Buffer): boolean {
    return this.attempts.handler.onData(chunk)
  }

  onComplete(): void {
    if (this.over) return
    const { call } = this.attempts
    const c = call.policy.classifier.response(call.request.method, this.status)
    this.end(c === 'success' ? undefined : 'status_5xx')
    this.attempts.handler.onComplete()
  }

  onError(err: Error): void {
    if (this.over) return
    this.end(failureName(err))
    const { attempts } = this
    // An abort (client gone, timeout) fails with its own error, never an unsent one.
    if (neverSent(err)) {
      attempts.client.failedToConnect(this.endpoint)
      try {
        if (attempts.requeue(this.endpoint)) return
      } catch (e) {
        // No endpoint left to requeue to: the call fails as this attempt did.
        void e
      }
    }
    attempts.handler.onError(this.routerError(err))
  }

  private end(failure: string | undefined): void {
    this.over = true
    const latencyMs = performance.now() - this.started
    const { balancer, stats } = this.attempts.client
    balancer.release(this.endpoint, latencyMs, failure === undefined)
    stats.pending--
    stats.latency.record(latencyMs)
    if (failure === undefined) stats.success++
    else stats.fail(failure)
  }

  private routerError(err: Error): Error {
    if (err instanceof RouterError || err instanceof ClientClosedError) return err
    const { client, call } = this.attempts
    return upstreamError(err, client, this.endpoint, call.name)
  }
}
