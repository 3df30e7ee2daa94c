/**
 * A fixed-bucket latency histogram for the data path: `record` is O(1), allocation-free and
 * touches four number fields and one typed-array cell; quantiles are computed only when a
 * summary is taken.
 *
 * Buckets are log-linear over whole microseconds (HdrHistogram's layout with 32 sub-buckets per
 * power of two): exact below 64 µs, then each bucket is at most 1/32 of its lower bound wide.
 * A quantile is reported as its bucket's midpoint clamped to the exact [min, max], so it is
 * within 1/64 (1.6 %) of the true nearest-rank value, or 1 µs below 64 µs. 832 buckets cover
 * 0 to 2^30 µs (about 1.07e6 ms); larger values land in the last bucket (max stays exact).
 *
 * Like linkerd, the owner snapshots and resets the histogram every interval (one minute):
 * `snapshot()` keeps the summary of the interval just ended in `last` and starts a new one.
 */
export class Histogram {
  private readonly counts = new Uint32Array(BUCKETS)
  private count = 0
  private sum = 0
  private min = Infinity
  private max = 0
  /** The summary kept by the last `snapshot()`; undefined before the first one. */
  last: Summary | undefined = undefined

  /** Adds one value in milliseconds; negative and NaN count as 0. */
  record(ms: number): void {
    const v = ms > 0 ? ms : 0
    ;(this.counts[bucketOf(v)] as number)++
    this.count++
    this.sum += v
    if (v < this.min) this.min = v
    if (v > this.max) this.max = v
  }

  /** The summary of the values recorded since the last reset (nothing is reset). */
  summary(): Summary {
    if (this.count === 0) return EMPTY_SUMMARY
    const [p50, p90, p95, p99, p9990, p9999] = this.quantiles(QUANTILES)
    return {
      count: this.count,
      sum: this.sum,
      avg: this.sum / this.count,
      min: this.min,
      max: this.max,
      p50: p50 ?? 0,
      p90: p90 ?? 0,
      p95: p95 ?? 0,
      p99: p99 ?? 0,
      p9990: p9990 ?? 0,
      p9999: p9999 ?? 0,
    }
  }

  /** Ends the interval: keeps its summary in `last` (and returns it), then empties the buckets. */
  snapshot(): Summary {
    const s = this.summary()
    this.last = s
    if (this.count > 0) {
      this.counts.fill(0)
      this.count = 0
      this.sum = 0
      this.min = Infinity
      this.max = 0
    }
    return s
  }

  /**
   * Nearest-rank quantiles (`ps` ascending, each in [0, 1]): the smallest recorded value with at
   * least ⌈p·count⌉ values at or below it, within the bucket error. One pass over the buckets.
   */
  quantiles(ps: readonly number[]): number[] {
    const out: number[] = []
    if (this.count === 0) return ps.map(() => 0)
    let seen = 0
    let i = 0
    for (const p of ps) {
      const rank = Math.max(1, Math.ceil(p * this.count - 1e-9))
      while (seen + (this.counts[i] ?? 0) < rank && i < BUCKETS - 1) seen += this.counts[i++] ?? 0
      // the last bucket is open-ended: its best estimate is the exact max
      const v = i === BUCKETS - 1 ? this.max : midpointMs(i)
      out.push(Math.min(this.max, Math.max(this.min, v)))
    }
    return out
  }
}

/** What a histogram held over one interval, in milliseconds (all 0 when `count` is 0). */
export interface Summary {
  readonly count: number
  readonly sum: number
  readonly avg: number
  readonly min: number
  readonly max: number
  readonly p50: number
  readonly p90: number
  readonly p95: number
  readonly p99: number
  readonly p9990: number
  readonly p9999: number
}

const QUANTILES = [0.5, 0.9, 0.95, 0.99, 0.999, 0.9999]
const SUB = 32
const BUCKETS = 832
const MAX_US = 2 ** 30 - 1
/** The summary of a histogram with no values. */
export const EMPTY_SUMMARY: Summary = Object.freeze({
  count: 0,
  sum: 0,
  avg: 0,
  min: 0,
  max: 0,
  p50: 0,
  p90: 0,
  p95: 0,
  p99: 0,
  p9990: 0,
  p9999: 0,
})

/** The bucket of a non-negative value in ms. Exported for tests. */
export function bucketOf(ms: number): number {
  const us = ms * 1000 < MAX_US ? (ms * 1000) | 0 : MAX_US
  if (us < 2 * SUB) return us
  const shift = 26 - Math.clz32(us)
  return SUB * shift + (us >>> shift)
}

/** The midpoint of bucket `i`, in ms (the lower bound for the exact 1 µs buckets). */
export function midpointMs(i: number): number {
  if (i < 2 * SUB) return i / 1000
  const shift = (i >> 5) - 1
  const lower = (SUB + (i & (SUB - 1))) * 2 ** shift
  return (lower + 2 ** (shift - 1)) / 1000
}
