/**
 * The health of one endpoint as the accrual balancer tracks it (accrual-balancer.ts):
 *
 *   alive ──failures──▶ dead ──backoff──▶ open ──a request──▶ probing ──success──▶ alive
 *                        ▲                                       │
 *                        └───────────failure (next backoff)──────┘
 *
 * `open`: back in the balancer, the next request to it is the probe; `probing`: that probe is in
 * flight and the endpoint takes no other request. A failFast endpoint (`byConnect`) is probed by
 * a TCP connect instead, and stays `dead` until one succeeds.
 */
import type { Addresses } from '../balancers/endpoints.js'
import type { Endpoint } from '../model.js'
import type { FailurePolicy } from './index.js'

export type HealthState = 'alive' | 'dead' | 'open' | 'probing'

/** One address of the set, with the state that outlives its balancer object. */
export class Health {
  state: HealthState = 'alive'
  /** Failures since its last success (shown on the admin page). */
  failures = 0
  /** The object the inner balancer hands out for it (the latest one). */
  endpoint: Endpoint | undefined
  /** Marked down by failFast: probed by a TCP connect, not by a request. */
  byConnect = false
  /** When it was marked dead, and when it is next probed (ms, the balancer's clock). */
  since = 0
  until = 0
  /** The delays of its current run of deaths; a revival starts a new run. */
  delays: (() => number) | undefined
  /** Cancels its pending probe timer. */
  cancel: (() => void) | undefined

  constructor(
    readonly key: string,
    public addr: Addresses[number],
    readonly policy: FailurePolicy | undefined,
  ) {}

  /** Stops its timer (it is revived, removed from the set, or the client closes). */
  stopTimer(): void {
    this.cancel?.()
    this.cancel = undefined
  }

  /** The state the admin page shows: `open` and `probing` are both `probing`. */
  shown(): 'alive' | 'dead' | 'probing' {
    return this.state === 'open' ? 'probing' : this.state
  }
}

/** What `/client_state.json` shows of one client. */
export interface ClientHealth {
  readonly panic: boolean
  readonly endpoints: readonly {
    readonly endpoint: string
    readonly state: 'alive' | 'dead' | 'probing'
    /** When a dead endpoint is next probed (ISO time). */
    readonly until?: string
    readonly failures: number
    /** Its weight in the client (`endpoint_addr_weight`, default 1). */
    readonly weight: number
    /** Requests in flight to it now. */
    readonly load: number
  }[]
}

/** The admin view of a client's endpoints, in address order. */
export function healthView(order: readonly Health[], panic: boolean): ClientHealth {
  return {
    panic,
    endpoints: order.map((h) => ({
      endpoint: h.key,
      state: h.shown(),
      ...(h.state === 'dead' ? { until: new Date(h.until).toISOString() } : {}),
      failures: h.failures,
      weight: h.endpoint?.weight ?? 1,
      load: h.endpoint?.pending ?? 0,
    })),
  }
}
