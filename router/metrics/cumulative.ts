/**
 * The clients' cumulative figures, for readers that subtract two reads to get an arbitrary
 * interval (namerctl's canary figures, or PromQL's `increase`): counters and latency buckets
 * since each client's stats began, never reset. Scrape-time only.
 *
 * Two forms: Prometheus histogram lines (`rt:client:request_latency_ms_bucket{…, le="…"}`, added
 * to the Prometheus text with `?buckets=1`) and `/admin/metrics/clients.json`.
 */
import { latencyBucketUpperUs } from '../../lib/metrics/latency-buckets.js'
import type { Entry } from './entry.js'

/**
 * Appends `name_bucket` lines for `cumulative` (compact export buckets): one per non-empty
 * bucket, its `le` the bucket's upper bound in ms, its value the count at or below it, then
 * `le="+Inf"` (every value). `open` is the name's labels without braces (may be empty).
 */
export function bucketLines(
  name: string,
  labels: string,
  cumulative: readonly number[],
  add: (name: string, line: string) => void,
): void {
  const bucket = `${name}_bucket`
  const open = labels === '' ? `${bucket}{le="` : `${bucket}{${labels}, le="`
  let total = 0
  for (let i = 0; i + 1 < cumulative.length; i += 2) {
    total += cumulative[i + 1] as number
    add(bucket, `${open}${latencyBucketUpperUs(cumulative[i] as number) / 1000}"} ${total}`)
  }
  add(bucket, `${open}+Inf"} ${total}`)
}

/** One client of one router in clients.json. */
export interface ClientFigures {
  readonly router: string
  /** The bound id, without its leading `/`. */
  readonly client: string
  requests: number
  success: number
  failures: number
  /** `[upper bound in ms, count]` per non-empty bucket, ascending: values in that bucket. */
  latencyBuckets: [number, number][]
}

const FIELDS = new Set(['requests', 'success', 'failures', 'request_latency_ms'])

/**
 * The body of `/admin/metrics/clients.json`: every client (or those in `only`, bound ids with or
 * without their leading `/`) with its cumulative counters and latency buckets, and the
 * `workers` gauges when the entries are several workers' merged (`router --workers`).
 */
export function clientsJson(entries: readonly Entry[], only?: readonly string[]): string {
  const wanted = only === undefined ? undefined : new Set(only.map((c) => c.replace(/^\//, '')))
  const clients = new Map<string, ClientFigures>()
  const workers: Record<string, number> = {}
  for (const e of entries) {
    const [rt, router, scope, client, leaf] = e.path
    if (rt === 'workers' && router !== undefined && e.kind === 'gauge') workers[router] = e.value
    if (rt !== 'rt' || scope !== 'client' || e.path.length !== 5 || !FIELDS.has(leaf ?? ''))
      continue
    if (router === undefined || client === undefined || wanted?.has(client) === false) continue
    const key = `${router}\0${client}`
    let c = clients.get(key)
    if (c === undefined) {
      c = { router, client, requests: 0, success: 0, failures: 0, latencyBuckets: [] }
      clients.set(key, c)
    }
    if (e.kind === 'counter' && leaf !== 'request_latency_ms') c[leaf as 'requests'] = e.value
    if (e.kind === 'stat') c.latencyBuckets = pairs(e.cumulative ?? [])
  }
  const body = { clients: [...clients.values()] }
  return JSON.stringify(Object.keys(workers).length === 0 ? body : { ...body, workers })
}

function pairs(compact: readonly number[]): [number, number][] {
  const out: [number, number][] = []
  for (let i = 0; i + 1 < compact.length; i += 2) {
    out.push([latencyBucketUpperUs(compact[i] as number) / 1000, compact[i + 1] as number])
  }
  return out
}
