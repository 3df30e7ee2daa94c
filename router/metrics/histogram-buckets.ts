/**
 * The bucket layout of `Histogram` (histogram.ts) and the code that reads quantiles off bucket
 * counts, shared by a live histogram and by histograms merged across processes
 * (metrics-merge.ts), so that both give the same answer for the same counts.
 *
 * Buckets are log-linear over whole microseconds (HdrHistogram's layout with 32 sub-buckets per
 * power of two): exact below 64 µs, then each bucket is at most 1/32 of its lower bound wide.
 */

import { latencyBucketOfUs } from '../../lib/metrics/latency-buckets.js'

const SUB = 32
/** How many buckets a histogram has (indexes 0 to BUCKETS - 1). */
export const BUCKETS = 832
const MAX_US = 2 ** 30 - 1

/** The bucket of a non-negative value in ms. Exported for tests. */
export function bucketOf(ms: number): number {
  const us = ms * 1000 < MAX_US ? (ms * 1000) | 0 : MAX_US
  if (us < 2 * SUB) return us
  const shift = 26 - Math.clz32(us)
  return SUB * shift + (us >>> shift)
}

/** The lower bound of bucket `i`, in whole µs. */
function lowerUs(i: number): number {
  return i < 2 * SUB ? i : (SUB + (i & (SUB - 1))) * 2 ** ((i >> 5) - 1)
}

/**
 * Each bucket's bucket in the coarser layout exported cumulatively (lib/metrics/latency-buckets.ts),
 * whose boundaries are a subset of these: a bucket lies wholly inside its export bucket.
 */
export const EXPORT_BUCKET: Uint8Array = Uint8Array.from({ length: BUCKETS }, (_, i) =>
  latencyBucketOfUs(lowerUs(i)),
)

/** The midpoint of bucket `i`, in ms (the lower bound for the exact 1 µs buckets). */
export function midpointMs(i: number): number {
  if (i < 2 * SUB) return i / 1000
  const shift = (i >> 5) - 1
  const lower = (SUB + (i & (SUB - 1))) * 2 ** shift
  return (lower + 2 ** (shift - 1)) / 1000
}

/**
 * Nearest-rank quantiles over bucket counts (`ps` ascending, each in [0, 1]): each is its
 * bucket's midpoint clamped to the exact [min, max]. All 0 when `count` is 0.
 */
export function quantilesOf(
  counts: ArrayLike<number>,
  count: number,
  min: number,
  max: number,
  ps: readonly number[],
): number[] {
  const out: number[] = []
  if (count === 0) return ps.map(() => 0)
  let seen = 0
  let i = 0
  for (const p of ps) {
    const rank = Math.max(1, Math.ceil(p * count - 1e-9))
    while (seen + (counts[i] ?? 0) < rank && i < BUCKETS - 1) seen += counts[i++] ?? 0
    // the last bucket is open-ended: its best estimate is the exact max
    const v = i === BUCKETS - 1 ? max : midpointMs(i)
    out.push(Math.min(max, Math.max(min, v)))
  }
  return out
}

/** The non-zero cells of `counts`, as `[index, count, index, count, …]`, indexes ascending. */
export function compactBuckets(counts: ArrayLike<number>): number[] {
  const out: number[] = []
  for (let i = 0; i < counts.length; i++) {
    const n = counts[i] ?? 0
    if (n !== 0) out.push(i, n)
  }
  return out
}
