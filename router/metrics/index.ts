/**
 * The router's statistics, named as linkerd names them
 * (`rt/<router>/server/<ip>/<port>/requests` → `rt:server:requests{rt="…", server="…"}`), and
 * the process-wide registry that renders them.
 *
 * Hot path: the data path looks a stat object up once (when it opens a server, binds a name or
 * makes a client) and then bumps its plain number fields: `s.requests++`, `s.pending--`,
 * `s.status(200)`, `s.latency.record(ms)`. No prom-client call, no Map lookup and no allocation
 * per request; exporting walks the objects at scrape time. Counters and gauges are live;
 * histograms are snapshotted and reset every `snapshotIntervalMs` (linkerd: one minute) and the
 * exporters show the last snapshot.
 */
import { collectDefaultMetrics, Registry } from 'prom-client'
import type { Histogram } from './histogram.js'
import type { Entry } from './entry.js'
import { clientsJson } from './cumulative.js'
import { buildTree, flatJson, resolveTree, treeJson } from './json.js'
import { formatPrometheus } from './prometheus.js'
import { RouterStats, type StatsLimits } from './router-stats.js'
import { Scope } from './stats.js'

export { Histogram, type Summary } from './histogram.js'
export type { Entry } from './entry.js'
export { RouterStats, type StatsLimits } from './router-stats.js'
export {
  ClientStats,
  Counter,
  HttpStats,
  RequestStats,
  Scope,
  ServerStats,
  ServiceStats,
} from './stats.js'

export interface MetricsOptions extends StatsLimits {
  /** Histogram snapshot (and idle sweep) period; default 60 000 ms; 0 = only `snapshot()`. */
  readonly snapshotIntervalMs?: number
  /** Add prom-client's process and Node metrics to the Prometheus output (default true). */
  readonly defaultMetrics?: boolean
  /** `io.l5d.prometheus`'s `prefix`, put before every rt:* name (default ''). */
  readonly prometheusPrefix?: string
  /** The clock (tests). */
  readonly now?: () => number
}

/** The parameters of `/admin/metrics.json` (linkerd's `pretty`, `tree` and `q`). */
export interface MetricsJsonOptions {
  readonly pretty?: boolean
  readonly tree?: boolean
  readonly q?: string
}

/**
 * One per process: every router's stats, extra process-level metrics (it is a `Scope`:
 * `metrics.counter('namer/io.l5d.fs/lookups')`), and a prom-client `Registry` with the default
 * process metrics. Starts an unref'd snapshot timer; `close()` stops it.
 */
export class MetricsRegistry extends Scope {
  /** prom-client registry: default metrics, and any prom-client metric another part adds. */
  readonly prom = new Registry()
  /** The Prometheus exposition content type. */
  readonly contentType = 'text/plain; version=0.0.4; charset=utf-8'
  private readonly routers = new Map<string, RouterStats>()
  private readonly timer: NodeJS.Timeout | undefined
  private gather: (() => Promise<Entry[]>) | undefined

  constructor(private readonly options: MetricsOptions = {}) {
    super()
    if (options.defaultMetrics !== false) collectDefaultMetrics({ register: this.prom })
    const every = options.snapshotIntervalMs ?? 60_000
    if (every > 0) this.timer = setInterval(() => this.snapshot(), every).unref()
  }

  /** The stats of router `label`, made on first use. */
  router(label: string): RouterStats {
    let r = this.routers.get(label)
    if (r === undefined) {
      r = new RouterStats(label, this.options, this.options.now)
      this.routers.set(label, r)
    }
    return r
  }

  /** Ends the histogram interval (snapshot then reset, as linkerd does each minute) and sweeps. */
  snapshot(): void {
    const visit = (h: Histogram): void => void h.snapshot()
    this.histograms(visit)
    for (const r of this.routers.values()) {
      r.visitHistograms(visit)
      r.sweep()
    }
  }

  /** Every linkerd-tree metric, routers first, in creation order. */
  entries(): Entry[] {
    const out: Entry[] = []
    for (const r of this.routers.values()) r.collectAt(out)
    this.collect([], out)
    return out
  }

  /**
   * Makes scrapes (`scrape()`, `prometheus()`) show what `gather` returns instead of `entries()`:
   * with `router --workers`, every worker's entries merged (workers-metrics.ts).
   */
  gatherWith(gather: () => Promise<Entry[]>): void {
    this.gather = gather
  }

  /** What a scrape shows: `entries()`, or the entries of `gatherWith`'s source when set. */
  async scrape(): Promise<Entry[]> {
    return this.gather === undefined ? this.entries() : this.gather()
  }

  /**
   * The `/admin/metrics/prometheus` body: prom-client's metrics (this process's), then the
   * linkerd ones (`entries`, default `scrape()`); with `buckets`, the clients' cumulative latency
   * buckets too (`rt:client:request_latency_ms_bucket`).
   */
  async prometheus(
    entries?: readonly Entry[],
    opts: { readonly buckets?: boolean } = {},
  ): Promise<string> {
    const head = await this.prom.metrics()
    const all = entries ?? (await this.scrape())
    const ours = formatPrometheus(all, this.options.prometheusPrefix, opts)
    if (head.trim() === '') return ours
    return head.endsWith('\n') ? head + ours : `${head}\n${ours}`
  }

  /**
   * `/admin/metrics.json` of `entries` (default `entries()`; pass `await scrape()` to follow
   * `gatherWith`): flat or `tree`, the subtree at `q` or 404 `No such subtree`.
   */
  metricsJson(
    opts: MetricsJsonOptions = {},
    entries: readonly Entry[] = this.entries(),
  ): { status: 200 | 404; body: string } {
    const root = buildTree(entries)
    const node = opts.q === undefined ? root : resolveTree(root, opts.q)
    if (node === undefined) {
      // linkerd's exact body, with the space after the colon
      return {
        status: 404,
        body: `{"error": ${JSON.stringify(`No such subtree: ${opts.q ?? ''}`)}}`,
      }
    }
    const body = opts.tree === true ? treeJson(node, opts.pretty) : flatJson(node, opts.pretty)
    return { status: 200, body }
  }

  /**
   * The `/admin/metrics/clients.json` body: every client's (or those in `only`) cumulative
   * counters and latency buckets, from `scrape()` (every worker's, merged).
   */
  async clientsJson(only?: readonly string[]): Promise<string> {
    return clientsJson(await this.scrape(), only)
  }

  /** Stops the snapshot timer. */
  close(): void {
    if (this.timer !== undefined) clearInterval(this.timer)
  }
}
