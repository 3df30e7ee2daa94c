/**
 * The one reconnection backoff of namerd's clients (the router's `io.l5d.namerd.http` streams
 * and `namerctl dtab watch`): exponential, capped, with full jitter, on cockatiel's
 * `ExponentialBackoff`. cockatiel computes the cap of each step; the jitter is ours so that
 * tests can give the random source (cockatiel's generators call `Math.random` themselves).
 */
// cockatiel's index loads every policy (~40 ms of start-up, paid by each namerctl command);
// this module holds only the backoffs. backoff.test.ts checks that it is the index's own.
import {
  ExponentialBackoff,
  noJitterGenerator,
  type GeneratorFn,
  type IBackoff,
} from 'cockatiel/dist/backoff/Backoff.js'

/** Reconnection backoff in ms (linkerd's `retry.baseSeconds`/`maxSeconds`, times 1000). */
export interface RetryOptions {
  /** The cap of the first wait; each further failure doubles it. */
  readonly baseMs: number
  /** The largest cap. */
  readonly maxMs: number
}

/** The shortest wait, so that a refusing server is never hammered in a tight loop. */
export const MIN_RETRY_DELAY_MS = 5

/**
 * cockatiel's step cap, min(maxMs, baseMs·2^(n-1)) for the n-th wait, times `random()` (clamped
 * to [0, 1]), at least `MIN_RETRY_DELAY_MS`.
 */
function fullJitter(random: () => number): GeneratorFn<number> {
  return (steps, options) => {
    const [cap, next] = noJitterGenerator(steps, options)
    // baseMs 0 makes 0·2^n, which is NaN once 2^n overflows.
    const bounded = Number.isNaN(cap) ? 0 : cap
    const jittered = Math.floor(Math.min(1, Math.max(0, random())) * bounded)
    return [Math.max(MIN_RETRY_DELAY_MS, jittered), next]
  }
}

/**
 * The waits of one run of consecutive failures: after the n-th failure (n ≥ 1), a random time
 * in [MIN_RETRY_DELAY_MS, min(maxMs, baseMs·2^(n-1))] ("full jitter", which spreads the
 * reconnections of many clients). `reset()` after a success starts again from `baseMs`.
 * `random` gives [0, 1] (default `Math.random`): `() => 1` waits exactly each cap.
 */
export class Backoff {
  readonly #factory: ExponentialBackoff<number>
  #step: IBackoff<unknown> | undefined
  #failures = 0

  constructor(retry: RetryOptions, random: () => number = Math.random) {
    this.#factory = new ExponentialBackoff({
      generator: fullJitter(random),
      initialDelay: retry.baseMs,
      maxDelay: retry.maxMs,
    })
  }

  /** Failures since the start or the last `reset()`. */
  get failures(): number {
    return this.#failures
  }

  /** Counts one more failure and gives the wait (ms) before the next attempt. */
  next(): number {
    this.#step = this.#step === undefined ? this.#factory.next() : this.#step.next(undefined)
    this.#failures++
    return this.#step.duration
  }

  /** A success: the next failure waits as the first one did. */
  reset(): void {
    this.#step = undefined
    this.#failures = 0
  }
}
