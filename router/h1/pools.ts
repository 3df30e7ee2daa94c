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
import { ClientTlsContexts, type ClientTlsFiles } from './upstream-tls-files.js'

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
  /** The settings as a key of `Pools.groups`. */
  readonly id: string
  readonly options: H1PoolOptions
  readonly prefix: string
  /** How many pools the group has: it goes with its last one. */
  pools: number
}

/** A pool and the group it counts in. */
interface Entry {
  readonly pool: H1Pool
  readonly group: Group
}

export class Pools implements Connector {
  private readonly pools: Lru<string, Entry>
  private readonly byClient = new WeakMap<Path, Group>()
  /**
   * The groups that have pools: as many as the pools at most, though every templated
   * `commonName` makes settings of its own (their TLS contexts are shared per set of files).
   */
  private readonly groups = new Map<string, Group>()
  /** For callers that name no client (tests): the pools' own defaults. */
  private unnamed: Group | undefined
  /** Groups ever made: each has a prefix of its own, so no pool is offered another's session. */
  private made = 0
  /** One response-timeout sweep for every connection of every pool. */
  private readonly watchdog = new Watchdog()
  private readonly contexts = new ClientTlsContexts()

  constructor(private readonly options: PoolsOptions = {}) {
    this.pools = new Lru(options.capacity ?? 10_000, (_key, { pool, group }) => {
      void pool.close().catch(() => undefined)
      if (--group.pools === 0 && this.groups.get(group.id) === group) this.groups.delete(group.id)
    })
  }

  upstream(e: Endpoint, clientId?: Path): H1Pool {
    const group = this.groupOf(clientId)
    // The common case (one set of settings) keys by the endpoint alone: no string per request.
    const key = group.prefix === '' ? e.key : group.prefix + e.key
    let entry = this.pools.get(key)
    if (entry === undefined) {
      const pool = new H1Pool(e.host, e.port, { ...group.options, watchdog: this.watchdog })
      entry = { pool, group }
      // Counted before it is set: an eviction the set makes cannot drop this group.
      group.pools++
      this.pools.set(key, entry)
    }
    return entry.pool
  }

  /** Closes every pool, letting requests in flight finish. */
  async close(): Promise<void> {
    const all = this.pools.values()
    await Promise.all(all.map((e) => e.pool.close().catch(() => undefined)))
  }

  /** The group of a client's settings, looked up once per bound id while the group lives. */
  private groupOf(clientId: Path | undefined): Group {
    const known = clientId === undefined ? this.unnamed : this.byClient.get(clientId)
    if (known !== undefined && this.groups.get(known.id) === known) return known
    const settings = clientId === undefined ? {} : this.options.settingsFor?.(clientId)
    const group = this.group(settings ?? {})
    if (clientId === undefined) this.unnamed = group
    else this.byClient.set(clientId, group)
    return group
  }

  private group(options: H1PoolOptions): Group {
    const id = JSON.stringify(options)
    let group = this.groups.get(id)
    if (group === undefined) {
      const tls = options.tls === undefined ? {} : { upstreamTls: this.tlsOf(options.tls) }
      // The first settings seen key their pools by the endpoint alone; later ones by a prefix.
      const prefix = this.made === 0 ? '' : `${this.made} `
      this.made++
      group = { id, options: { ...options, ...tls }, prefix, pools: 0 }
      this.groups.set(id, group)
    }
    return group
  }

  /**
   * The router's watched files; else read once per set of files (a failure is the call's, tried
   * again later). A templated name costs no read and no new context either way.
   */
  private tlsOf(settings: ClientTlsConfig): UpstreamTls {
    return this.options.tlsFiles?.upstreamTls(settings) ?? this.contexts.upstreamTls(settings)
  }
}
