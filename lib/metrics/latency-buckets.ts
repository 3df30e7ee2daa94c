/**
 * The latency bucket layout the router exports cumulatively (`/admin/metrics/clients.json` and
 * `rt:client:request_latency_ms_bucket` lines) and that namerctl reads back: shared here because
 * the router writes it and namerctl's canary figures read it, and neither imports the other.
 *
 * Over whole microseconds: 16 buckets 4 µs wide below 64 µs, then 8 per power of two (each is
 * 1/8 to 1/15 of its lower bound wide), up to 2^30 µs (about 17.9 minutes; anything longer
 * counts in the last bucket). The boundaries are a subset of the router's own histogram
 * buckets (router/metrics/histogram-buckets.ts), so its counts coarsen into these exactly.
 * A bucket's midpoint is within 1/16 (6.25 %) of any value in it, or 2 µs below 64 µs.
 */

/** How many buckets (indexes 0 to LATENCY_BUCKETS - 1). */
export const LATENCY_BUCKETS = 208
const LINEAR = 16
const PER_OCTAVE = 8

/** The bucket of a whole number of microseconds (clamped to the last bucket). */
export function latencyBucketOfUs(us: number): number {
  if (us < 64) return us < 0 ? 0 : us >> 2
  const v = Math.min(us, 2 ** 30 - 1)
  const p = 31 - Math.clz32(v)
  const m = v >>> (p - 3)
  return LINEAR + (p - 6) * PER_OCTAVE + (m - PER_OCTAVE)
}

/** The lower bound of bucket `k`, in µs (inclusive). */
export function latencyBucketLowerUs(k: number): number {
  if (k < LINEAR) return 4 * k
  const p = 6 + ((k - LINEAR) >> 3)
  return (PER_OCTAVE + ((k - LINEAR) & 7)) * 2 ** (p - 3)
}

/** The upper bound of bucket `k`, in µs (exclusive): the lower bound of the next one. */
export function latencyBucketUpperUs(k: number): number {
  return latencyBucketLowerUs(k + 1)
}

/**
 * The bucket whose upper bound is `upperUs` (how the exported `le` values and clients.json
 * name their buckets), or undefined when no bucket ends there.
 */
export function latencyBucketByUpperUs(upperUs: number): number | undefined {
  if (!Number.isInteger(upperUs) || upperUs <= 0) return undefined
  const k = latencyBucketOfUs(upperUs - 1)
  return latencyBucketUpperUs(k) === upperUs ? k : undefined
}
