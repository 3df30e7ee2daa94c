/**
 * Merging the metric entries of several processes (`router --workers N`) into what one process
 * would show had it served all their traffic. Scrape-time only.
 *
 * Per path: counters sum; gauges sum (requests in flight, open connections, running streams are
 * per-process amounts), except the gauges in `MAX_GAUGES`, which are worst-case ages where a sum
 * means nothing: those take the largest value. Stats (histograms) merge exactly: their last
 * snapshots' bucket counts add up, and the quantiles are read off the merged buckets by the same
 * code a single histogram uses. Each process snapshots on its own timer, so a merged stat
 * combines intervals that end at slightly different times (each at most one interval old).
 * Cumulative latency buckets (clients') are live in every process, so their sum is exact.
 */
import { BUCKETS, compactBuckets } from './histogram-buckets.js'
import { EMPTY_SUMMARY, summarize, type Summary } from './histogram.js'
import type { Entry } from './entry.js'

/** Gauges (by last path segment) merged by taking the largest value, not the sum. */
export const MAX_GAUGES: ReadonlySet<string> = new Set(['update_lag_ms'])

/**
 * The entries of every process merged by path: the first list's order first, then paths only
 * later lists have, in the order they appear. A path whose kinds disagree keeps the first kind
 * seen (the others' values for it are dropped).
 */
export function mergeEntries(lists: readonly (readonly Entry[])[]): Entry[] {
  const byPath = new Map<string, Entry[]>()
  for (const list of lists) {
    for (const e of list) {
      const key = e.path.join('\0')
      const same = byPath.get(key)
      if (same === undefined) byPath.set(key, [e])
      else if (same[0]?.kind === e.kind) same.push(e)
    }
  }
  const out: Entry[] = []
  for (const same of byPath.values()) out.push(mergeSame(same))
  return out
}

/** One entry from those of one path, all of the same kind (at least one). */
function mergeSame(same: readonly Entry[]): Entry {
  const first = same[0] as Entry
  if (same.length === 1) return first
  if (first.kind === 'stat') return mergeStats(first, same)
  const values = same.map((e) => (e.kind === 'stat' ? 0 : e.value))
  const leaf = first.path[first.path.length - 1] ?? ''
  const value =
    first.kind === 'gauge' && MAX_GAUGES.has(leaf)
      ? Math.max(...values)
      : values.reduce((a, b) => a + b, 0)
  return { path: first.path, kind: first.kind, value }
}

function mergeStats(first: Entry, same: readonly Entry[]): Entry {
  const path = first.path
  const summaries: Summary[] = []
  const cumulative: (readonly number[])[] = []
  for (const e of same) {
    if (e.kind !== 'stat') continue
    if (e.summary !== undefined) summaries.push(e.summary)
    if (e.cumulative !== undefined) cumulative.push(e.cumulative)
  }
  if (summaries.length === 0 && cumulative.length === 0) return first
  const summary = summaries.length === 0 ? undefined : mergeSummaries(summaries)
  const merged: Entry =
    summary === undefined ? { path, kind: 'stat' } : { path, kind: 'stat', summary }
  return cumulative.length === 0 ? merged : { ...merged, cumulative: addCompact(cumulative) }
}

/** The sum of compact bucket lists (`[index, count, …]`), as one compact list. */
export function addCompact(lists: readonly (readonly number[])[]): number[] {
  const counts = new Float64Array(BUCKETS)
  for (const b of lists) {
    for (let i = 0; i + 1 < b.length; i += 2) {
      const at = b[i] as number
      counts[at] = (counts[at] ?? 0) + (b[i + 1] as number)
    }
  }
  return compactBuckets(counts)
}

/**
 * The summary of the values of several histograms' snapshots, as one histogram fed all of them
 * would give (the sum up to floating-point rounding). Each summary with values must carry its
 * `buckets` (a `Histogram.snapshot()` does); the result carries the merged buckets too.
 */
export function mergeSummaries(summaries: readonly Summary[]): Summary {
  const full = summaries.filter((s) => s.count > 0)
  if (full.length === 0) return EMPTY_SUMMARY
  if (full.length === 1) return full[0] as Summary
  let count = 0
  let sum = 0
  let min = Infinity
  let max = 0
  for (const s of full) {
    count += s.count
    sum += s.sum
    min = Math.min(min, s.min)
    max = Math.max(max, s.max)
  }
  const buckets = addCompact(full.map((s) => s.buckets ?? []))
  return { ...summarize(expand(buckets), count, sum, min, max), buckets }
}

function expand(compact: readonly number[]): Float64Array {
  const counts = new Float64Array(BUCKETS)
  for (let i = 0; i + 1 < compact.length; i += 2)
    counts[compact[i] as number] = compact[i + 1] as number
  return counts
}
