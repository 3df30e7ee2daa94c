import { LATENCY_BUCKETS } from '../../lib/metrics/latency-buckets.js'
import {
  BUCKETS,
  EXPORT_BUCKET,
  bucketOf,
  compactBuckets,
  quantilesOf,
} from './histogram-buckets.js'

export { BUCKETS, bucketOf, compactBuckets, midpointMs, quantilesOf } from './histogram-buckets.js'

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
 *
 * With `cumulative`, it also keeps counts since it was made, never reset, in the coarser export
 * layout (lib/metrics/latency-buckets.ts), so that a reader can subtract two reads and get an
 * arbitrary interval's distribution: each snapshot adds the interval's buckets into a cumulative
 * array (once a minute, never per request), and `cumulativeBuckets()` adds the live interval's.
 */
export class Histogram {
  private readonly counts = new Uint32Array(BUCKETS)
  /** Counts before the current interval, by export bucket (made at the first snapshot). */
  private before: Float64Array | undefined
  private count = 0
  private sum = 0
  private min = Infinity
  private max = 0
  /** The summary kept by the last `snapshot()`; undefined before the first one. */
  last: Summary | undefined = undefined

  constructor(private readonly options: { readonly cumulative?: boolean } = {}) {}

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
    return summarize(this.counts, this.count, this.sum, this.min, this.max)
  }

  /**
   * Ends the interval: keeps its summary in `last` (and returns it), then empties the buckets.
   * The kept summary also carries the interval's non-zero buckets (`buckets`), so that another
   * process can merge it exactly (router --workers); this pass happens once per interval, never
   * per request.
   */
  snapshot(): Summary {
    const s =
      this.count === 0 ? EMPTY_SUMMARY : { ...this.summary(), buckets: compactBuckets(this.counts) }
    this.last = s
    if (this.count > 0) {
      if (this.options.cumulative === true) {
        addExport(this.counts, (this.before ??= new Float64Array(LATENCY_BUCKETS)))
      }
      this.counts.fill(0)
      this.count = 0
      this.sum = 0
      this.min = Infinity
      this.max = 0
    }
    return s
  }

  /**
   * With `cumulative`: the counts of every value recorded since the histogram was made, by export
   * bucket, as `[bucket, count, bucket, count, …]` (non-zero only, buckets ascending); otherwise
   * undefined. O(buckets); scrape time only.
   */
  cumulativeBuckets(): number[] | undefined {
    if (this.options.cumulative !== true) return undefined
    if (this.before === undefined) SCRATCH.fill(0)
    else SCRATCH.set(this.before)
    if (this.count > 0) addExport(this.counts, SCRATCH)
    return compactBuckets(SCRATCH)
  }

  /**
   * Nearest-rank quantiles (`ps` ascending, each in [0, 1]): the smallest recorded value with at
   * least ⌈p·count⌉ values at or below it, within the bucket error. One pass over the buckets.
   */
  quantiles(ps: readonly number[]): number[] {
    return quantilesOf(this.counts, this.count, this.min, this.max, ps)
  }
}

/** Where `cumulativeBuckets` adds up (synchronously, so one array serves every histogram). */
const SCRATCH = new Float64Array(LATENCY_BUCKETS)

/** Adds fine bucket counts into `into`, by export bucket. */
function addExport(counts: Uint32Array, into: Float64Array): void {
  for (let i = 0; i < counts.length; i++) {
    const n = counts[i] as number
    if (n === 0) continue
    const k = EXPORT_BUCKET[i] as number
    into[k] = (into[k] as number) + n
  }
}

/**
 * The summary of bucket counts (`counts[i]` values in bucket `i`, `count` their total) with the
 * exact `sum`, `min` and `max`: what `Histogram.summary` computes, usable on buckets merged from
 * several histograms. EMPTY_SUMMARY when `count` is 0.
 */
export function summarize(
  counts: ArrayLike<number>,
  count: number,
  sum: number,
  min: number,
  max: number,
): Summary {
  if (count === 0) return EMPTY_SUMMARY
  const [p50, p90, p95, p99, p9990, p9999] = quantilesOf(counts, count, min, max, QUANTILES)
  return {
    count,
    sum,
    avg: sum / count,
    min,
    max,
    p50: p50 ?? 0,
    p90: p90 ?? 0,
    p95: p95 ?? 0,
    p99: p99 ?? 0,
    p9990: p9990 ?? 0,
    p9999: p9999 ?? 0,
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
  /**
   * Only on a summary kept by `snapshot()` with values: the interval's non-zero buckets as
   * `compactBuckets` gives them, for merging histograms exactly across processes.
   */
  readonly buckets?: readonly number[]
}

const QUANTILES = [0.5, 0.9, 0.95, 0.99, 0.999, 0.9999]
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
