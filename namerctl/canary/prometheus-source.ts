/**
 * Figures from a Prometheus server that scrapes the routers with `?buckets=1`
 * (docs/canary-figures.md): one instant query at `open` and one at each `read` fetch every
 * series of the clients' `success`, `failures` and cumulative latency buckets, and the figures
 * are their differences (reading.ts), as for the admin source.
 *
 * Why not `increase(…[Ns])` and `histogram_quantile`: `increase` extrapolates to the window's
 * edges, so its counts are not whole numbers of requests, and `histogram_quantile` interpolates
 * linearly inside a bucket; two readings subtracted give exactly what ended between the
 * Prometheus scrapes preceding `open` and `read`, and the same p99 the admin source would give.
 */
import { instantQuery, type Sample } from './prometheus-query.js'
import type { Cumulative, Reading } from '../../lib/metrics/interval.js'
import { figuresBetween, type FigureSource, type Interval } from './figures.js'

export interface PrometheusSourceOptions {
  /** How long one query may take (default 10 000 ms). */
  readonly timeoutMs?: number
  /** The routers' `io.l5d.prometheus` `prefix` (default none). */
  readonly prefix?: string
  /** More label matchers for every series, e.g. `job="routers"` (default none). */
  readonly matchers?: string
}

/** A source querying the Prometheus server at `url` (`http://prometheus:9090`). */
export function prometheusSource(url: string, options: PrometheusSourceOptions = {}): FigureSource {
  const stop = new AbortController()
  const timeoutMs = options.timeoutMs ?? 10_000
  const read = async (clients: readonly string[]): Promise<Reading> =>
    readingOf(
      await instantQuery(url, figuresQuery(clients, options), { timeoutMs, signal: stop.signal }),
      options.prefix ?? '',
    )
  return {
    name: `Prometheus at ${url}`,
    async open(clients): Promise<Interval> {
      const then = await read(clients)
      return { read: async () => figuresBetween(then, await read(clients)) }
    },
    close: () => stop.abort(),
  }
}

/** The PromQL selector of every series the figures of `clients` need. Exported for tests. */
export function figuresQuery(clients: readonly string[], options: PrometheusSourceOptions): string {
  const names = `${escapeRegex(options.prefix ?? '')}rt:client:(success|failures|request_latency_ms_bucket)`
  const ids = clients.map((c) => escapeRegex(c.replace(/^\//, ''))).join('|')
  const extra = options.matchers === undefined ? '' : `, ${options.matchers}`
  // exception="" leaves out the per-exception failures series
  return `{__name__=~${JSON.stringify(names)}, client=~${JSON.stringify(ids)}, exception=""${extra}}`
}

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}

/** The samples grouped by series (every label but the name and `le`). */
function readingOf(samples: readonly Sample[], prefix: string): Reading {
  const series = new Map<string, { ended: number; failures: number; le: [number, number][] }>()
  for (const { metric, value } of samples) {
    const key = Object.entries(metric)
      .filter(([k]) => k !== '__name__' && k !== 'le')
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([k, v]) => `${k}=${v}`)
      .join('\0')
    let s = series.get(key)
    if (s === undefined) series.set(key, (s = { ended: 0, failures: 0, le: [] }))
    const name = (metric['__name__'] ?? '').slice(prefix.length)
    if (name === 'rt:client:failures') s.failures = value
    if (name !== 'rt:client:request_latency_ms_bucket') s.ended += value
    else s.le.push([leUs(metric['le']), value])
  }
  const out = new Map<string, Cumulative>()
  for (const [key, s] of series) {
    out.set(key, { ended: s.ended, failures: s.failures, buckets: perBucket(s.le) })
  }
  return out
}

function leUs(le: string | undefined): number {
  return le === '+Inf' || le === undefined ? Infinity : Math.round(Number(le) * 1000)
}

/** Cumulative `le` counts as counts per bucket. */
function perBucket(le: [number, number][]): Map<number, number> {
  const out = new Map<number, number>()
  let below = 0
  for (const [upper, n] of le.sort((a, b) => a[0] - b[0])) {
    out.set(upper, n - below)
    below = n
  }
  return out
}
