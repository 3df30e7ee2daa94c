/**
 * The HTTP/2 connector: an upstream per endpoint and per set of client settings (clients with
 * equal settings share their sessions, as router/h1/pools.ts shares connections), each with one
 * multiplexed session at a time; bounded (least recently used upstreams close first, letting
 * their streams finish).
 */
import type { Path } from '../../dtabs/index.js'
import { Lru } from '../../lib/lru.js'
import type { ClientTlsConfig } from '../../lib/tls/client-config.js'
import type { Connector } from '../core/handler.js'
import { TlsDialer, type UpstreamTls } from '../h1/upstream-tls.js'
import { ClientTlsContexts, type ClientTlsFiles } from '../h1/upstream-tls-files.js'
import { Watchdog } from '../h1/watchdog.js'
import type { Endpoint } from '../model.js'
import type { SessionSettings } from './session.js'
import { nodeSettings } from './settings.js'
import { H2Upstream } from './upstream.js'
import { H2_CLIENT_DEFAULTS, type H2ClientOptions } from './upstream-options.js'

export interface H2SessionsOptions {
  /** Most upstreams (endpoint × settings), each with its session (default 10,000). */
  readonly capacity?: number
  /** The HTTP/2 settings of a client, by its bound id (default: H2_CLIENT_DEFAULTS). */
  readonly settingsFor?: (clientId: Path) => H2ClientOptions
  /** The router's client TLS files, kept current (default: read once per set of files). */
  readonly tlsFiles?: ClientTlsFiles
}

/** Clients whose settings are equal: their upstreams are keyed `prefix + endpoint key`. */
interface Group {
  /** The settings as a key of `H2Sessions.groups`. */
  readonly id: string
  readonly settings: SessionSettings
  readonly tls: UpstreamTls | undefined
  readonly prefix: string
  /** How many upstreams the group has: it goes with its last one. */
  upstreams: number
}

interface Entry {
  readonly upstream: H2Upstream
  readonly group: Group
}

/** Sends calls to endpoints over HTTP/2 (see the file's comment). */
export class H2Sessions implements Connector {
  private readonly upstreams: Lru<string, Entry>
  private readonly byClient = new WeakMap<Path, Group>()
  private readonly groups = new Map<string, Group>()
  private unnamed: Group | undefined
  /** Groups ever made: each has a prefix of its own, so none is offered another's session. */
  private made = 0
  /** One response-timeout sweep for every session. */
  private readonly watchdog = new Watchdog()
  private readonly contexts = new ClientTlsContexts()

  constructor(private readonly options: H2SessionsOptions = {}) {
    this.upstreams = new Lru(options.capacity ?? 10_000, (_key, { upstream, group }) => {
      void upstream.close()
      if (--group.upstreams === 0 && this.groups.get(group.id) === group) {
        this.groups.delete(group.id)
      }
    })
  }

  upstream(e: Endpoint, clientId?: Path): H2Upstream {
    const group = this.groupOf(clientId)
    const key = group.prefix === '' ? e.key : group.prefix + e.key
    let entry = this.upstreams.get(key)
    if (entry === undefined) {
      const dialer = group.tls && new TlsDialer(group.tls, e.host, e.port, ['h2'])
      entry = { upstream: new H2Upstream(e, group.settings, this.watchdog, dialer), group }
      // Counted before it is set: an eviction the set makes cannot drop this group.
      group.upstreams++
      this.upstreams.set(key, entry)
    }
    return entry.upstream
  }

  /** Closes every session, letting streams in flight finish. */
  async close(): Promise<void> {
    await Promise.all(this.upstreams.values().map((e) => e.upstream.close()))
  }

  private groupOf(clientId: Path | undefined): Group {
    const known = clientId === undefined ? this.unnamed : this.byClient.get(clientId)
    if (known !== undefined && this.groups.get(known.id) === known) return known
    const options = clientId === undefined ? {} : this.options.settingsFor?.(clientId)
    const group = this.group(options ?? {})
    if (clientId === undefined) this.unnamed = group
    else this.byClient.set(clientId, group)
    return group
  }

  private group(o: H2ClientOptions): Group {
    const id = JSON.stringify(o)
    let group = this.groups.get(id)
    if (group === undefined) {
      // The first settings seen key their upstreams by the endpoint alone; later ones by a prefix.
      const prefix = this.made === 0 ? '' : `${this.made} `
      this.made++
      const tls = o.tls && this.tlsOf(o.tls)
      group = { id, settings: sessionSettings(o), tls, prefix, upstreams: 0 }
      this.groups.set(id, group)
    }
    return group
  }

  private tlsOf(settings: ClientTlsConfig): UpstreamTls {
    return this.options.tlsFiles?.upstreamTls(settings) ?? this.contexts.upstreamTls(settings)
  }
}

/** `o` with the defaults filled in. */
function sessionSettings(o: H2ClientOptions): SessionSettings {
  const d = H2_CLIENT_DEFAULTS
  return {
    settings: nodeSettings(o.h2),
    connectTimeoutMs: o.connectTimeoutMs ?? d.connectTimeoutMs,
    responseTimeoutMs: o.responseTimeoutMs ?? d.responseTimeoutMs,
    maxWaiters: o.maxWaiters ?? d.maxWaiters,
    keepAliveMs: o.keepAliveMs ?? d.keepAliveMs,
    pingTimeoutMs: o.pingTimeoutMs ?? d.pingTimeoutMs,
    idleTimeMs: o.idleTimeMs ?? d.idleTimeMs,
  }
}
