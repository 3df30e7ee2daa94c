/**
 * Figures of an interval from two readings of cumulative counters and latency buckets per series
 * (one router process, one router label, one client or service): what namerctl's canary gates
 * and the router's dashboard compute with. Counters only grow while a series lives; a series
 * whose counts went down (its router restarted, or it dropped the stats and made them again)
 * counts from zero, as PromQL's `increase` does.
 */
import { latencyBucketByUpperUs, latencyBucketLowerUs } from './latency-buckets.js'

/** One series' counts since it began. */
export interface Cumulative {
  /** Requests that ended: the router's `success` plus `failures`. */
  readonly ended: number
  readonly failures: number
  /** Values per latency bucket, by the bucket's upper bound in µs (`Infinity`: `+Inf`). */
  readonly buckets: ReadonlyMap<number, number>
}

/** Every series a source read at one moment, by a key unique to the series. */
export type Reading = ReadonlyMap<string, Cumulative>

/** What ended in an interval: requests, failures, and latency values per bucket (as `Cumulative`). */
export interface Ended {
  requests: number
  failures: number
  readonly buckets: Map<number, number>
}

/** An empty `Ended`, to add series into. */
export function nothingEnded(): Ended {
  return { requests: 0, failures: 0, buckets: new Map() }
}

/**
 * What a series whose counts went down means: `reset`, it began again (a process restarted, a
 * series was dropped and made again), so it counts from zero; `unknown`, it is a sum over
 * processes (`router --workers`) one of which restarted, so what ended in the interval cannot
 * be told and it counts nothing (counting the others' whole history would be a jump).
 */
export type Decrease = 'reset' | 'unknown'

/**
 * Adds what ended in one series between `before` (undefined: the series is new, it counts
 * whole) and `after` into `into`.
 */
export function addEnded(
  into: Ended,
  before: Cumulative | undefined,
  after: Cumulative,
  decrease: Decrease = 'reset',
): Ended {
  const down = before !== undefined && wentDown(before, after)
  if (down && decrease === 'unknown') return into
  const base = down ? undefined : before
  into.requests += after.ended - (base?.ended ?? 0)
  into.failures += after.failures - (base?.failures ?? 0)
  for (const [le, n] of after.buckets) {
    const d = n - (base?.buckets.get(le) ?? 0)
    if (d > 0) into.buckets.set(le, (into.buckets.get(le) ?? 0) + d)
  }
  return into
}

/** What ended between `then` and `now`, summed over every series of `now`. */
export function endedBetween(then: Reading, now: Reading, decrease: Decrease = 'reset'): Ended {
  const ended = nothingEnded()
  for (const [key, after] of now) addEnded(ended, then.get(key), after, decrease)
  return ended
}

/**
 * `then` as the base of a longer interval: each series of `now` named by `sums` (a sum over
 * processes, `router --workers`) whose counts went down is taken from `now`. What ended before one
 * of its processes restarted cannot be told, so such a series counts from `now` on rather than
 * from zero (which would count the other processes' whole history) or never again.
 */
export function rebased(then: Reading, now: Reading, sums: (key: string) => boolean): Reading {
  const down = [...now].filter(([key, after]) => {
    const before = then.get(key)
    return before !== undefined && sums(key) && wentDown(before, after)
  })
  return down.length === 0 ? then : new Map([...then, ...down])
}

function wentDown(before: Cumulative, after: Cumulative): boolean {
  if (after.ended < before.ended || after.failures < before.failures) return true
  for (const [le, n] of before.buckets) if ((after.buckets.get(le) ?? 0) < n) return true
  return false
}

/**
 * The nearest-rank `p` quantile of bucket counts, as its bucket's midpoint: within 1/16 of the
 * true value (2 µs below 64 µs) for the router's export layout (lib/metrics/latency-buckets.ts).
 * A bucket outside that layout counts as its upper bound (`+Inf`: the largest finite one).
 * Undefined when there is no value.
 */
export function quantileMs(buckets: ReadonlyMap<number, number>, p: number): number | undefined {
  const ordered = [...buckets].filter(([, n]) => n > 0).sort((a, b) => a[0] - b[0])
  const total = ordered.reduce((s, [, n]) => s + n, 0)
  if (total === 0) return undefined
  const rank = Math.max(1, Math.ceil(p * total - 1e-9))
  let seen = 0
  let lastFinite = 0
  for (const [upper, n] of ordered) {
    seen += n
    if (seen >= rank) return estimateUs(upper, lastFinite) / 1000
    if (Number.isFinite(upper)) lastFinite = upper
  }
  return lastFinite / 1000
}

function estimateUs(upper: number, lastFinite: number): number {
  if (!Number.isFinite(upper)) return lastFinite
  const k = latencyBucketByUpperUs(upper)
  return k === undefined ? upper : (latencyBucketLowerUs(k) + upper) / 2
}
