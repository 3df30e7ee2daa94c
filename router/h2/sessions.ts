/**
 * The HTTP/2 connector: an upstream per endpoint and per set of client settings (clients with
 * equal settings share their sessions, as router/h1/pools.ts shares connections), each with one
 * multiplexed session at a time; bounded (least recently used upstreams close first, letting
 * their streams finish).
 */
import type { Path } from '../../dtabs/index.js'
import type { ClientTlsConfig } from '../../lib/tls/client-config.js'
import { EndpointUpstreams } from '../net/endpoint-upstreams.js'
import type { Connector } from '../core/handler.js'
import { TlsDialer, type UpstreamTls } from '../net/upstream-tls.js'
import { ClientTlsContexts, type ClientTlsFiles } from '../net/upstream-tls-files.js'
import { Watchdog } from '../net/watchdog.js'
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

/** A set of client settings made ready: defaults applied, TLS files read. */
interface Prepared {
  readonly settings: SessionSettings
  readonly tls: UpstreamTls | undefined
}

/** Sends calls to endpoints over HTTP/2 (see the file's comment). */
export class H2Sessions implements Connector {
  private readonly upstreams: EndpointUpstreams<H2ClientOptions, Prepared, H2Upstream>
  /** One response-timeout sweep for every session. */
  private readonly watchdog = new Watchdog()
  private readonly contexts = new ClientTlsContexts()

  constructor(private readonly options: H2SessionsOptions = {}) {
    this.upstreams = new EndpointUpstreams({
      capacity: options.capacity ?? 10_000,
      settingsFor: options.settingsFor,
      none: {},
      prepare: (o) => ({ settings: sessionSettings(o), tls: o.tls && this.tlsOf(o.tls) }),
      make: (e, { settings, tls }) => {
        const dialer = tls && new TlsDialer(tls, e.host, e.port, ['h2'])
        return new H2Upstream(e, settings, this.watchdog, dialer)
      },
      evicted: (upstream) => void upstream.close(),
    })
  }

  upstream(e: Endpoint, clientId?: Path): H2Upstream {
    return this.upstreams.get(e, clientId)
  }

  /** Closes every session, letting streams in flight finish. */
  async close(): Promise<void> {
    await Promise.all(this.upstreams.values().map((u) => u.close()))
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
