/**
 * The failure accrual family (`client.failureAccrual`, as linkerd 1's `FailureAccrualConfig`):
 * `io.l5d.consecutiveFailures` (the default: 5 failures), `io.l5d.successRate`,
 * `io.l5d.successRateWindowed` and `none`. A kind makes the factory of a per-endpoint
 * `FailurePolicy`, which hears each request's outcome and says when to mark the endpoint dead;
 * every kind takes a `backoff` (how long a dead endpoint stays out before it is probed). The
 * router wraps a client's balancer in an `AccrualBalancer` (accrual-balancer.ts) that applies it.
 */
import { Section } from '../../lib/config/section.js'
import { parseKind, registry, type Plugin } from '../../lib/plugin.js'
import { jitteredBackoff, parseBackoff, type Backoff } from '../backoffs/index.js'
import { consecutiveFailures, ConsecutiveFailures } from './consecutive-failures.js'
import { none } from './none.js'
import { successRate } from './success-rate.js'
import { successRateWindowed } from './success-rate-windowed.js'

/** The failure history of one endpoint. */
export interface FailurePolicy {
  /** Hears one outcome; true when the endpoint should be marked dead now. */
  record(ok: boolean): boolean
  /** Forgets the history (the endpoint was revived). */
  reset(): void
  /** Why the last `record` that answered true did so, for the log line. */
  reason(): string
}

/** Makes one endpoint's policy; `now` (ms) is read only by the kinds that need a clock. */
export type FailurePolicyFactory = (now: () => number) => FailurePolicy

/** A parsed `failureAccrual` section. */
export interface FailureAccrual {
  /** Absent for `none`: no endpoint is ever marked dead for its responses. */
  readonly policy: FailurePolicyFactory | undefined
  readonly backoff: Backoff
}

export type AccrualPlugin = Plugin<FailurePolicyFactory | undefined, Record<string, never>>

/** The built-in kinds. */
export const accruals = registry(consecutiveFailures, successRate, successRateWindowed, none)

/** linkerd's default backoff of a dead endpoint: jittered between 5 s and 300 s. */
export const DEFAULT_ACCRUAL_BACKOFF = jitteredBackoff(5_000, 300_000)

/** linkerd's default: 5 consecutive failures, then the default backoff. */
export const DEFAULT_ACCRUAL: FailureAccrual = {
  policy: () => new ConsecutiveFailures(5),
  backoff: DEFAULT_ACCRUAL_BACKOFF,
}

/**
 * The failure accrual a `failureAccrual` section describes; `DEFAULT_ACCRUAL` when the section is
 * absent. `kind` is required in a section. Throws a `ConfigError` for an unknown kind or key, or
 * a bad value. Performs no I/O.
 */
export function parseAccrual(s: Section | undefined): FailureAccrual {
  if (s === undefined) return DEFAULT_ACCRUAL
  const backoff = parseBackoff(s.section('backoff'), DEFAULT_ACCRUAL_BACKOFF)
  return { policy: parseKind(accruals, s)({}), backoff }
}

export { AccrualBalancer, type AccrualOptions } from './accrual-balancer.js'
export type { ClientHealth } from './health.js'
export {
  FAIL_FAST_BACKOFF,
  healthOptions,
  type ClientHealthConfig,
  type HealthDeps,
  type HealthOptions,
} from './client-health.js'
export { ConsecutiveFailures } from './consecutive-failures.js'
export { SuccessRate } from './success-rate.js'
