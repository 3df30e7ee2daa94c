/**
 * The HTTP/1.1 connector: keep-alive connection pools, one per endpoint and per set of client
 * settings, TLS included (clients with the same bounds and TLS settings share their
 * connections; linkerd gives each client its own), bounded (least recently used pools close
 * first).
 */
import type { Path } from '../../dtabs/index.js'
import { EndpointUpstreams } from '../net/endpoint-upstreams.js'
import type { Connector } from '../core/handler.js'
import type { Endpoint } from '../model.js'
import { H1Pool, type H1PoolOptions } from './pool.js'
import { Watchdog } from '../net/watchdog.js'
import type { UpstreamTls } from '../net/upstream-tls.js'
import type { ClientTlsConfig } from '../../lib/tls/client-config.js'
import { ClientTlsContexts, type ClientTlsFiles } from '../net/upstream-tls-files.js'

export interface PoolsOptions {
  /** Most pools (default 10,000). */
  readonly capacity?: number
  /** The bounds of a client's connections, by its bound id (default: H1Pool's defaults). */
  readonly settingsFor?: (clientId: Path) => H1PoolOptions
  /** The router's client TLS files, kept current (default: read once per set of settings). */
  readonly tlsFiles?: ClientTlsFiles
}

export class Pools implements Connector {
  private readonly pools: EndpointUpstreams<H1PoolOptions, H1PoolOptions, H1Pool>
  /** One response-timeout sweep for every connection of every pool. */
  private readonly watchdog = new Watchdog()
  private readonly contexts = new ClientTlsContexts()

  constructor(private readonly options: PoolsOptions = {}) {
    this.pools = new EndpointUpstreams({
      capacity: options.capacity ?? 10_000,
      settingsFor: options.settingsFor,
      none: {},
      // TLS files read once per set of settings (a failure is the call's, tried again later).
      prepare: (o) => (o.tls === undefined ? o : { ...o, upstreamTls: this.tlsOf(o.tls) }),
      make: (e, o) => new H1Pool(e.host, e.port, { ...o, watchdog: this.watchdog }),
      evicted: (pool) => void pool.close().catch(() => undefined),
    })
  }

  upstream(e: Endpoint, clientId?: Path): H1Pool {
    return this.pools.get(e, clientId)
  }

  /** Closes every pool, letting requests in flight finish. */
  async close(): Promise<void> {
    await Promise.all(this.pools.values().map((pool) => pool.close().catch(() => undefined)))
  }

  /** Sets of client settings kept now (for tests: they go with their last pool). */
  get settingsKept(): number {
    return this.pools.settingsKept
  }

  /**
   * The router's watched files; else read once per set of files (a failure is the call's, tried
   * again later). A templated name costs no read and no new context either way.
   */
  private tlsOf(settings: ClientTlsConfig): UpstreamTls {
    return this.options.tlsFiles?.upstreamTls(settings) ?? this.contexts.upstreamTls(settings)
  }
}
