import type { Summary } from './histogram.js'

/**
 * One metric at a path in linkerd's tree (`['rt', 'r1', 'server', '0.0.0.0/4140', 'requests']`),
 * what the stat objects hand the exporters at scrape time. A segment may itself contain `/`
 * (server labels, logical names, bound ids). A stat carries the summary of the last snapshot,
 * undefined before the first; a server's, service's or client's latency stat also carries
 * `cumulative`: its counts since it began, by export bucket (lib/metrics/latency-buckets.ts),
 * as `[bucket, count, bucket, count, …]`.
 */
export type Entry =
  | { readonly path: readonly string[]; readonly kind: 'counter' | 'gauge'; readonly value: number }
  | {
      readonly path: readonly string[]
      readonly kind: 'stat'
      readonly summary?: Summary
      readonly cumulative?: readonly number[]
    }

/** Stats are shown to the microsecond: `1`, `2.976`, never `0.30000000000000004`. */
export function micros(ms: number): number {
  return Math.round(ms * 1000) / 1000
}
