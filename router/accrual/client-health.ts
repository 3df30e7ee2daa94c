/**
 * What a client's health watching is made of: its `failureAccrual` and `failFast` config, and
 * the options of its `AccrualBalancer` (none at all when there is nothing to watch).
 */
import type { Log } from '../../lib/log.js'
import { jitteredBackoff, type Backoff } from '../backoffs/index.js'
import type { AccrualOptions } from './accrual-balancer.js'
import type { FailureAccrual } from './index.js'

/** A client's `failureAccrual` and `failFast` (the `client` configs). */
export interface ClientHealthConfig {
  readonly accrual: FailureAccrual
  readonly failFast: boolean
}

/** An accrual balancer's options but the client id (the client adds it). */
export type HealthOptions = Omit<AccrualOptions, 'id'>

/**
 * How often failFast tries to connect to a down endpoint: jittered between 1 s and 32 s, as
 * Finagle's `FailFastFactory` (docs/limits.md).
 */
export const FAIL_FAST_BACKOFF = jitteredBackoff(1_000, 32_000)

/** What the router gives every client for failFast, and where lines are logged. */
export interface HealthDeps {
  /** failFast's probe: resolves true when a TCP connection could be made. */
  readonly connectProbe?: (host: string, port: number) => Promise<boolean>
  /** failFast's backoff between connect probes (default FAIL_FAST_BACKOFF). */
  readonly failFastBackoff?: Backoff
  readonly log: Log
}

/**
 * The options of a client's accrual balancer, or undefined when accrual is `none` and failFast
 * off (or has no probe): then the client has no decorator and pays nothing.
 */
export function healthOptions(
  config: ClientHealthConfig,
  deps: HealthDeps,
): HealthOptions | undefined {
  const { accrual, failFast } = config
  const { connectProbe, failFastBackoff = FAIL_FAST_BACKOFF, log } = deps
  const fast =
    failFast && connectProbe !== undefined
      ? { connect: connectProbe, backoff: failFastBackoff }
      : undefined
  if (accrual.policy === undefined && fast === undefined) return undefined
  return { accrual, failFast: fast, log }
}
