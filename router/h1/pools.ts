/**
 * The HTTP/1.1 connector: keep-alive connection pools, one per endpoint and per set of client
 * settings, TLS included (clients with the same bounds and TLS settings share their
 * connections; linkerd gives each client its own), bounded (least recently used pools close
 * first).
 */
import type { Path } from '../../dtabs/index.js'
import { Lru } from '../../lib/lru.js'
import type { Connector } from '../core/handler.js'
import type { Endpoint } from '../model.js'
import { H1Pool, type H1PoolOptions } from './pool.js'
import { Watchdog } from './watchdog.js'
import type { UpstreamTls } from './upstream-tls.js'
import type { ClientTlsConfig } from '../../lib/tls/client-config.js'
import { upstreamTls, type ClientTlsFiles } from './upstream-tls-files.js'

export interface PoolsOptions {
  /** Most pools (default 10,000). */
  readonly capacity?: number
  /** The bounds of a client's connections, by its bound id (default: H1Pool's defaults). */
  readonly settingsFor?: (clientId: Path) => H1PoolOptions
  /** The router's client TLS files, kept current (default: read once per set of settings). */
  readonly tlsFiles?: ClientTlsFiles
}

/** Clients whose settings are equal: their pools are keyed `prefix + endpoint key`. */
interface Group {
  readonly options: H1PoolOptions
  readonly prefix: string
}

export class Pools implements Connector {
  private readonly pools: Lru<string, H1Pool>
  private readonly byClient = new WeakMap<Path, Group>()
  private readonly groups = new Map<string, Group>()
  /** For callers that name no client (tests): the pools' own defaults. */
  private unnamed: Group | undefined
  /** One response-timeout sweep for every connection of every pool. */
  private readonly watchdog = new Watchdog()

  constructor(private readonly options: PoolsOptions = {}) {
    this.pools = new Lru(
      options.capacity ?? 10_000,
      (_key, pool) => void pool.close().catch(() => undefined),
    )
  }

  upstream(e: Endpoint, clientId?: Path): H1Pool {
    const group =
      clientId === undefined ? (this.unnamed ??= this.group({})) : this.groupOf(clientId)
    // The common case (one set of settings) keys by the endpoint alone: no string per request.
    const key = group.prefix === '' ? e.key : group.prefix + e.key
    let pool = this.pools.get(key)
    if (pool === undefined) {
      pool = new H1Pool(e.host, e.port, { ...group.options, watchdog: this.watchdog })
      this.pools.set(key, pool)
    }
    return pool
  }

  /** Closes every pool, letting requests in flight finish. */
  async close(): Promise<void> {
    const all = this.pools.values()
    await Promise.all(all.map((p) => p.close().catch(() => undefined)))
  }

  /** The group of a client's settings, looked up once per bound id. */
  private groupOf(clientId: Path): Group {
    let group = this.byClient.get(clientId)
    if (group !== undefined) return group
    group = this.group(this.options.settingsFor?.(clientId) ?? {})
    this.byClient.set(clientId, group)
    return group
  }

  private group(options: H1PoolOptions): Group {
    const id = JSON.stringify(options)
    let group = this.groups.get(id)
    if (group === undefined) {
      const tls = options.tls === undefined ? {} : { upstreamTls: this.tlsOf(options.tls) }
      // The first settings seen key their pools by the endpoint alone; later ones by a prefix.
      const prefix = this.groups.size === 0 ? '' : `${this.groups.size} `
      group = { options: { ...options, ...tls }, prefix }
      this.groups.set(id, group)
    }
    return group
  }

  /** The router's watched files; else read now (a failure is the call's, tried again later). */
  private tlsOf(settings: ClientTlsConfig): UpstreamTls {
    return this.options.tlsFiles?.upstreamTls(settings) ?? upstreamTls(settings)
  }
}
