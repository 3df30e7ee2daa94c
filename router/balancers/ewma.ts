/**
 * `ewma`: power of two choices over peak-EWMA latency × (pending + 1), as Finagle's
 * `P2CPeakEwma` (its `PeakEwma` metric). It reacts to a slow endpoint at once and forgets
 * cautiously: an observation above the current cost replaces it, lower ones are blended in
 * with a weight that decays with `decayTimeMs`.
 *
 * ```yaml
 * loadBalancer:
 *   kind: ewma
 *   maxEffort: 5
 *   decayTimeMs: 10000
 * ```
 */
import type { BalancerFactory, Endpoint } from '../model.js'
import { BalancedEndpoint, endRequest } from './endpoints.js'
import type { BalancerPlugin } from './index.js'
import { type CommonOptions, readCommon } from './options.js'
import { TwoChoices } from './two-choices.js'

/**
 * Finagle's load for an endpoint with requests in flight and no latency seen yet: above any
 * real cost, so a new endpoint is probed by one request at a time until it has a latency.
 */
const PENALTY = 2 ** 40

/**
 * The peak-EWMA cost after seeing `rttMs` at time `t`, from `cost` last updated at `stamp`
 * (all in ms): `rttMs` itself when above the decayed cost, else the decayed cost blended with
 * `rttMs` by w = e^(−Δt/τ). With `rttMs` 0 it is the pure decay, so the cost halves every
 * τ·ln 2. The weight depends on Δt because observations are unevenly spaced (Finagle's note).
 */
export function peakEwma(
  cost: number,
  stamp: number,
  rttMs: number,
  t: number,
  tauMs: number,
): number {
  const w = Math.exp(-Math.max(t - stamp, 0) / tauMs)
  const decayed = cost * w
  return rttMs > decayed ? rttMs : decayed + rttMs * (1 - w)
}

/** An endpoint with its latency cost. */
export class EwmaEndpoint extends BalancedEndpoint {
  /** Peak-EWMA latency in ms, as of `stamp`; 0 until a request has finished. */
  cost = 0
  /** When `cost` was last updated (ms, on the balancer's clock). */
  stamp = 0

  constructor(key: string, host: string, port: number, weight: number, stamp: number) {
    super(key, host, port, weight)
    // Numeric initial values, not a parameter property (which starts out undefined): V8 then
    // stores these fields as doubles updated in place, instead of a new number per write.
    this.stamp = stamp
  }
}

/**
 * The first candidate is drawn by weight, the second uniformly among the other endpoints of
 * the same weight: latency says nothing about weight, so (as Finagle's `TrafficDistributor`
 * does with one balancer per weight class) costs are compared only within a weight class and
 * the weights alone share traffic between classes. A failed request counts with its latency,
 * as in Finagle. `maxEffort` is accepted but not needed: the second draw never repeats.
 */
export class EwmaBalancer extends TwoChoices<EwmaEndpoint> {
  constructor(
    random: () => number,
    maxEffort: number,
    /** τ, the mean lifetime of a latency observation. */
    readonly decayTimeMs: number,
    private readonly now: () => number,
  ) {
    super(random, maxEffort)
  }

  release(endpoint: Endpoint, latencyMs: number): void {
    endRequest(endpoint)
    if (!(endpoint instanceof EwmaEndpoint)) return
    const t = this.now()
    const rtt = Number.isFinite(latencyMs) && latencyMs > 0 ? latencyMs : 0
    endpoint.cost = peakEwma(endpoint.cost, endpoint.stamp, rtt, t, this.decayTimeMs)
    endpoint.stamp = t
  }

  protected create(key: string, host: string, port: number, weight: number): EwmaEndpoint {
    return new EwmaEndpoint(key, host, port, weight, this.now())
  }

  protected second(p: number): number {
    const lo = this.index.classLo[p] ?? p
    const hi = this.index.classHi[p] ?? p + 1
    return hi - lo < 2 ? p : this.index.other(this.random, p, lo, hi)
  }

  protected lessLoaded(q: number, p: number): boolean {
    const a = this.index.entries[p]
    const b = this.index.entries[q]
    if (a === undefined || b === undefined) return false
    const t = this.now()
    return load(b, t, this.decayTimeMs) < load(a, t, this.decayTimeMs)
  }
}

/**
 * Finagle's load: the cost decayed to `t` × (pending + 1), or the penalty while unmeasured. The
 * decay is written out rather than calling `peakEwma(…, 0, …)`: V8 boxes that call's result.
 */
function load(e: EwmaEndpoint, t: number, tauMs: number): number {
  if (e.cost === 0) return e.pending === 0 ? 0 : PENALTY + e.pending
  return e.cost * Math.exp(-Math.max(t - e.stamp, 0) / tauMs) * (e.pending + 1)
}

/** `ewma` options; `now` (ms, default `performance.now`) is injectable for tests. */
export interface EwmaOptions extends CommonOptions {
  readonly decayTimeMs: number
  readonly now?: () => number
}

export const DEFAULT_DECAY_TIME_MS = 10_000

function performanceNow(): number {
  return performance.now()
}

/** A factory of `ewma` balancers; each uses the given `random` (default `Math.random`). */
export function ewmaBalancer(options: EwmaOptions): BalancerFactory {
  const { maxEffort, decayTimeMs, now = performanceNow } = options
  return function newEwmaBalancer(random = Math.random) {
    return new EwmaBalancer(random, maxEffort, decayTimeMs, now)
  }
}

export const ewma: BalancerPlugin = {
  kind: 'ewma',
  parse(s) {
    const { maxEffort } = readCommon(s)
    const decayTimeMs = s.number('decayTimeMs', DEFAULT_DECAY_TIME_MS, { min: 1 })
    return function makeEwma() {
      return ewmaBalancer({ maxEffort, decayTimeMs })
    }
  },
}
