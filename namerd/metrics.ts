import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client'

/**
 * namerd's Prometheus metrics (served on the admin port): API requests by route and status,
 * watch streams open and dropped, store operations by outcome, and whether the store is reachable. One
 * registry per process (no global registry), plus Node's process metrics.
 */
export class NamerdMetrics {
  readonly registry = new Registry()
  private readonly requests: Counter<'route' | 'status'>
  private readonly watches: Gauge<'route'>
  private readonly dropped: Counter<'route'>
  private readonly storeOps: Counter<'op' | 'outcome'>
  private readonly tlsFailures: Counter<'code'>

  constructor(reachable: () => boolean, options: { defaultMetrics?: boolean } = {}) {
    const registers = [this.registry]
    this.requests = new Counter({
      name: 'namerd_api_requests_total',
      help: 'HTTP API requests, by route and response status',
      labelNames: ['route', 'status'],
      registers,
    })
    this.watches = new Gauge({
      name: 'namerd_watch_streams_open',
      help: 'Streaming (watch=true) responses open now, by route',
      labelNames: ['route'],
      registers,
    })
    this.dropped = new Counter({
      name: 'namerd_watch_streams_dropped_total',
      help: 'Watch streams closed by namerd because their client fell too far behind (maxWatchBacklogKB)',
      labelNames: ['route'],
      registers,
    })
    this.storeOps = new Counter({
      name: 'namerd_store_operations_total',
      help: 'Dtab store operations by outcome (ok, exists, not-found, version-mismatch, stale, unavailable, error)',
      labelNames: ['op', 'outcome'],
      registers,
    })
    this.tlsFailures = new Counter({
      name: 'namerd_tls_handshake_failures_total',
      help: "Failed TLS handshakes on the API's interfaces, by Node's error code",
      labelNames: ['code'],
      registers,
    })
    new Gauge({
      name: 'namerd_store_reachable',
      help: '1 if the dtab store answered its last contact, else 0',
      registers,
      collect() {
        this.set(reachable() ? 1 : 0)
      },
    })
    if (options.defaultMetrics !== false) collectDefaultMetrics({ register: this.registry })
  }

  request(route: string, status: number): void {
    this.requests.inc({ route, status: String(status) })
  }

  watchOpened(route: string): void {
    this.watches.inc({ route })
  }

  watchClosed(route: string): void {
    this.watches.dec({ route })
  }

  /** A stream closed because its client stopped reading (its backlog passed the bound). */
  watchDropped(route: string): void {
    this.dropped.inc({ route })
  }

  storeOperation(op: string, outcome: string): void {
    this.storeOps.inc({ op, outcome })
  }

  /** A client's TLS handshake with an interface failed (`ECONNRESET`, `ERR_SSL_…`). */
  tlsHandshakeFailed(code: string): void {
    this.tlsFailures.inc({ code })
  }
}
