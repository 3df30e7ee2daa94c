/**
 * The stats of one router: its servers, and the bounded per-name tables of services and clients.
 * Exported through metrics.ts.
 */
import type { Histogram } from './histogram.js'
import type { Entry } from './entry.js'
import { ClientStats, Scope, ServerStats, ServiceStats, type RequestStats } from './stats.js'

/** Bounds on the per-name tables of a router (linkerd's binding-cache defaults). */
export interface StatsLimits {
  /** Most services kept (default 1000). */
  readonly maxServices?: number
  /** Most clients kept (default 1000). */
  readonly maxClients?: number
  /** A service or client with no new request and none pending this long is dropped (10 min). */
  readonly idleTtlMs?: number
}

/**
 * A table of per-name stats with a cap. Making one past the cap first drops a tenth of the table:
 * those with the fewest requests since the last sweep (in-flight ones last, older first among
 * equals), so a burst of one-off names cannot push out the busy ones.
 */
class Table<T extends RequestStats> {
  readonly map = new Map<string, T>()

  constructor(
    private readonly max: number,
    private readonly idleMs: number,
    private readonly make: () => T,
  ) {}

  get(key: string, now: number): T {
    let s = this.map.get(key)
    if (s !== undefined) return s
    if (this.map.size >= this.max) this.shrink()
    s = this.make()
    s.seenAt = now
    this.map.set(key, s)
    return s
  }

  drop(key: string): void {
    const s = this.map.get(key)
    if (s === undefined) return
    s.evicted = true
    this.map.delete(key)
  }

  sweep(now: number): void {
    for (const [key, s] of this.map) {
      if (s.requests !== s.seenRequests || s.pending > 0) {
        s.seenRequests = s.requests
        s.seenAt = now
      } else if (now - s.seenAt >= this.idleMs) this.drop(key)
    }
  }

  private shrink(): void {
    const activity = (s: T): number =>
      s.pending > 0 ? Number.MAX_SAFE_INTEGER : s.requests - s.seenRequests
    const ranked = [...this.map].sort((a, b) => activity(a[1]) - activity(b[1]))
    const n = Math.max(1, Math.ceil(this.max / 10))
    for (const [key] of ranked.slice(0, n)) this.drop(key)
  }
}

/**
 * The stats of one router (`rt/<label>/…`). `server` is unbounded (servers come from config);
 * `service` and `client` names come from requests, so they are capped and idle ones dropped
 * (see `StatsLimits`). The router drops a client's itself when its client cache lets the client
 * go (linkerd prunes a client's metrics when it closes). A holder of a service or client
 * stats object checks `evicted` (one field read) and looks it up again when set.
 */
export class RouterStats extends Scope {
  private readonly servers = new Map<string, ServerStats>()
  private readonly services: Table<ServiceStats>
  private readonly clients: Table<ClientStats>

  constructor(
    readonly label: string,
    limits: StatsLimits = {},
    private readonly now: () => number = Date.now,
  ) {
    super()
    const idle = limits.idleTtlMs ?? 600_000
    this.services = new Table(limits.maxServices ?? 1000, idle, () => new ServiceStats())
    this.clients = new Table(limits.maxClients ?? 1000, idle, () => new ClientStats())
  }

  /** The stats of the server listening on `ip`:`port` (label `<ip>/<port>`), made once. */
  server(ip: string, port: number): ServerStats {
    const key = `${ip}/${port}`
    let s = this.servers.get(key)
    if (s === undefined) this.servers.set(key, (s = new ServerStats()))
    return s
  }

  /** The stats of a logical name, `svc/foo` (a leading `/` is dropped). */
  service(name: string): ServiceStats {
    return this.services.get(stripSlash(name), this.now())
  }

  /** The stats of a client by bound id, `#/io.l5d.fs/foo` (a leading `/` is dropped). */
  client(id: string): ClientStats {
    return this.clients.get(stripSlash(id), this.now())
  }

  /** Forgets a service's stats (marking the object `evicted`). */
  dropService(name: string): void {
    this.services.drop(stripSlash(name))
  }

  /** Forgets a client's stats (marking the object `evicted`). */
  dropClient(id: string): void {
    this.clients.drop(stripSlash(id))
  }

  /** How many services and clients are tracked. */
  get sizes(): { services: number; clients: number } {
    return { services: this.services.map.size, clients: this.clients.map.size }
  }

  /** @internal Drops services and clients idle for longer than the TTL. */
  sweep(now = this.now()): void {
    this.services.sweep(now)
    this.clients.sweep(now)
  }

  /** @internal */
  visitHistograms(visit: (h: Histogram) => void): void {
    this.histograms(visit)
    for (const s of this.servers.values()) s.visitHistograms(visit)
    for (const s of this.services.map.values()) s.visitHistograms(visit)
    for (const s of this.clients.map.values()) s.visitHistograms(visit)
  }

  /** @internal */
  collectAt(out: Entry[]): void {
    const rt = ['rt', this.label]
    for (const [k, s] of this.servers) s.collectAt([...rt, 'server', k], out)
    for (const [k, s] of this.services.map) s.collectAt([...rt, 'service', k], out)
    for (const [k, s] of this.clients.map) s.collectAt([...rt, 'client', k], out)
    this.collect(rt, out)
  }
}

function stripSlash(name: string): string {
  return name.startsWith('/') ? name.slice(1) : name
}
