/**
 * What the dashboard reads of one scrape: per router, the cumulative counts and latency buckets
 * of its servers, services and clients (lib/metrics/interval.ts's `Cumulative`), and the
 * figures of an interval between two such readings. Pure.
 */
import { latencyBucketUpperUs } from '../../../lib/metrics/latency-buckets.js'
import { quantileMs, type Cumulative, type Ended } from '../../../lib/metrics/interval.js'
import type { Entry } from '../../metrics/index.js'

/** One router's series, each by its name in the stats tree (`svc/users`, `#/io.l5d.fs/users`). */
export interface RouterReading {
  readonly servers: Map<string, Cumulative>
  readonly services: Map<string, Cumulative>
  readonly clients: Map<string, Cumulative>
}

/** The scopes a reading keeps, as the stats tree names them. */
const SCOPES = { server: 'servers', service: 'services', client: 'clients' } as const

interface Counts {
  success: number
  failures: number
  buckets: Map<number, number>
}

/** Every router's reading in `entries` (a scrape), by router label, in the scrape's order. */
export function readRouters(entries: readonly Entry[]): Map<string, RouterReading> {
  const counts = new Map<string, Map<string, Counts>>()
  for (const e of entries) {
    const [rt, label, scope, name, leaf] = e.path
    if (rt !== 'rt' || e.path.length !== 5 || label === undefined || name === undefined) continue
    if (scope !== 'server' && scope !== 'service' && scope !== 'client') continue
    const key = `${scope}\0${name}`
    let series = counts.get(label)
    if (series === undefined) counts.set(label, (series = new Map()))
    let c = series.get(key)
    if (c === undefined) series.set(key, (c = { success: 0, failures: 0, buckets: new Map() }))
    if (e.kind === 'counter' && leaf === 'success') c.success = e.value
    else if (e.kind === 'counter' && leaf === 'failures') c.failures = e.value
    else if (e.kind === 'stat' && leaf === 'request_latency_ms') c.buckets = buckets(e.cumulative)
  }
  const out = new Map<string, RouterReading>()
  for (const [label, series] of counts) out.set(label, toReading(series))
  return out
}

function toReading(series: Map<string, Counts>): RouterReading {
  const r: RouterReading = { servers: new Map(), services: new Map(), clients: new Map() }
  for (const [key, c] of series) {
    const at = key.indexOf('\0')
    const scope = key.slice(0, at) as keyof typeof SCOPES
    const cumulative = { ended: c.success + c.failures, failures: c.failures, buckets: c.buckets }
    r[SCOPES[scope]].set(key.slice(at + 1), cumulative)
  }
  return r
}

/** Compact export buckets (`[bucket, count, …]`) by their upper bound in µs. */
function buckets(compact: readonly number[] | undefined): Map<number, number> {
  const m = new Map<number, number>()
  if (compact === undefined) return m
  for (let i = 0; i + 1 < compact.length; i += 2) {
    m.set(latencyBucketUpperUs(compact[i] as number), compact[i + 1] as number)
  }
  return m
}

/** A row's figures over one interval. */
export interface Figures {
  /** Requests that ended, per second. */
  readonly rps: number
  /** The share of them that succeeded, in [0, 1]; null when none ended. */
  readonly success: number | null
  /** Latency quantiles in ms; null when none ended. */
  readonly p50Ms: number | null
  readonly p99Ms: number | null
}

/** The figures of what ended in `seconds`. */
export function figuresOf(ended: Ended, seconds: number): Figures {
  const { requests, failures, buckets } = ended
  if (requests <= 0) return { rps: 0, success: null, p50Ms: null, p99Ms: null }
  return {
    rps: round(requests / seconds, 100),
    success: round((requests - failures) / requests, 10_000),
    p50Ms: quantileMs(buckets, 0.5) ?? null,
    p99Ms: quantileMs(buckets, 0.99) ?? null,
  }
}

/**
 * How a scrape was gathered: `merged` over `router --workers`' processes, and `partial` when
 * some of them did not answer in time (router/workers/metrics.ts's `workers/*` gauges): its
 * sums then lack those workers' counts, which are not gone.
 */
export function scrapeShape(entries: readonly Entry[]): { merged: boolean; partial: boolean } {
  let reporting: number | undefined
  let configured: number | undefined
  for (const e of entries) {
    if (e.path.length !== 2 || e.path[0] !== 'workers' || e.kind !== 'gauge') continue
    if (e.path[1] === 'reporting') reporting = e.value
    else if (e.path[1] === 'configured') configured = e.value
  }
  if (configured === undefined) return { merged: false, partial: false }
  return { merged: configured > 1, partial: reporting !== undefined && reporting < configured }
}

function round(v: number, by: number): number {
  return Math.round(v * by) / by
}
