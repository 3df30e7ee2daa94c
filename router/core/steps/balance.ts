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
import { Readable } from 'node:stream'
import { NO_FIELDS, outcome } from '../../classifiers/index.js'
import { RouterError } from '../../errors.js'
import type { Endpoint } from '../../model.js'
import type { Call } from '../call.js'
import type { UpstreamClient } from '../clients.js'
import { ClientClosedError, failureName, noEndpoints, upstreamError } from '../failures.js'
import { neverSent, UpstreamError, type ResponseHandler } from '../handler.js'
import type { OverrideGuard } from '../override-guard.js'
import { resume, type Service, type Step } from '../service.js'
import { TlsHandshakeError } from '../tls-failure.js'

/**
 * The endpoint's connection pool (h1) or stream line (h2) had no room: the router's own bound,
 * reached under load, is no failure of the endpoint (a burst of clients would take it out).
 */
function lineFull(err: Error): boolean {
  return err instanceof UpstreamError && err.code === 'POOL_QUEUE_FULL'
}

/** Requeues of one request at most, whatever the budget allows (finagle's limit). */
export const MAX_REQUEUES_PER_REQUEST = 25

/** Picks an endpoint of the call's client (through the guard for a call with an override). */
type Acquire = (call: Call, client: UpstreamClient, avoid?: Endpoint) => Endpoint

/** The balance step; with `guard`, a call with an override never reaches the router itself. */
export const balance = (guard?: OverrideGuard): Step => {
  const acquire: Acquire = (call, client, avoid) => {
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
      // The call's start time is recent enough for the budget's one-second slots.
      client.requeues.budget.request(call.started)
      const endpoint = acquire(call, client, call.avoid)
      new Attempt(call, client, handler, next, acquire, endpoint).start()
    }
}

/** One attempt at one endpoint, ended exactly once; a requeue is a new one. */
class Attempt implements ResponseHandler {
  private started = 0
  private status = 0
  private fields: readonly string[] = NO_FIELDS
  private over = false

  constructor(
    private readonly call: Call,
    private readonly client: UpstreamClient,
    private readonly handler: ResponseHandler,
    private readonly next: Service,
    private readonly acquire: Acquire,
    private readonly endpoint: Endpoint,
  ) {}

  start(): void {
    this.started = performance.now()
    this.call.endpoint = this.endpoint
    const stats = this.client.stats
    stats.requests++
    stats.pending++
    resume(this.next, this.call, this)
  }

  onConnect(abort: (err: Error) => void): void {
    this.handler.onConnect(abort)
  }

  onHeaders(status: number, fields: string[], resume: () => void): boolean {
    this.status = status
    this.fields = fields
    this.client.stats.status(status)
    return this.handler.onHeaders(status, fields, resume)
  }

  onData(chunk: Buffer): boolean {
    return this.handler.onData(chunk)
  }

  onComplete(trailers?: string[]): void {
    if (this.over) return
    const { call } = this
    const c = outcome(
      call.policy.classifier,
      call.request.method,
      this.status,
      this.fields,
      trailers,
    )
    this.end(c === 'success' ? undefined : 'status_5xx', c === 'success')
    this.handler.onComplete(trailers)
  }

  onError(err: Error): void {
    if (this.over) return
    // Neither the client leaving nor the router's own full line says the endpoint failed.
    const local = err instanceof ClientClosedError || lineFull(err)
    this.end(failureName(err), local ? undefined : false)
    const tls = err instanceof TlsHandshakeError
    if (tls) this.countHandshakeFailure(err)
    // An abort (client gone, timeout) fails with its own error, never an unsent one.
    if (neverSent(err)) {
      // TCP connects to an endpoint that failed a handshake: failFast's probe would not see it.
      if (!tls && !local) this.client.failedToConnect(this.endpoint)
      if (this.requeue()) return
    }
    this.handler.onError(this.routerError(err))
  }

  /** `tls/handshake_failures` and `tls/handshake_failures/<reason>` (a rare path). */
  private countHandshakeFailure(err: TlsHandshakeError): void {
    const stats = this.client.stats
    stats.counter('tls/handshake_failures').value++
    stats.counter(['tls', 'handshake_failures', err.reason]).value++
  }

  /** Sends the call again, to another endpoint, if the limits allow; false if not. */
  private requeue(): boolean {
    const { call, client } = this
    // A streamed body read in part (HTTP/2 DATA sent before a REFUSED_STREAM or GOAWAY) would
    // reach the next endpoint without its start; the retry step's copy can send it whole.
    if (call.body instanceof Readable && call.body.readableDidRead) return false
    // With one endpoint, sending to it again would only add load to what just failed.
    if (call.requeues >= MAX_REQUEUES_PER_REQUEST || client.balancer.endpoints.length < 2) {
      return false
    }
    if (!client.requeues.budget.tryRetry(performance.now())) {
      client.requeues.budgetExhausted.value++
      return false
    }
    let endpoint: Endpoint
    try {
      endpoint = this.acquire(call, client, this.endpoint)
    } catch {
      return false // no endpoint left: the call fails as this attempt did
    }
    call.requeues++
    client.requeues.total.value++
    new Attempt(call, client, this.handler, this.next, this.acquire, endpoint).start()
    return true
  }

  /** `verdict`: the endpoint's, for its balancer (undefined: the client left first, none). */
  private end(failure: string | undefined, verdict: boolean | undefined): void {
    this.over = true
    const latencyMs = performance.now() - this.started
    const { balancer, stats } = this.client
    balancer.release(this.endpoint, latencyMs, verdict)
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
