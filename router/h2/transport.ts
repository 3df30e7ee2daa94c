/**
 * The HTTP/2 transport as router/start.ts uses it: a server that makes a Call of each h2
 * stream (`startH2Server`, router/h2/listener.ts) and a Connector of pooled h2 sessions, one per
 * endpoint with its streams multiplexed (`H2Sessions`, router/h2/sessions.ts). Everything else
 * (routing core, interpreters, namerd, admin, metrics, overrides) is shared with HTTP/1.1.
 *
 * `h2Transport` is undefined in a build without those two parts; start.ts then refuses to
 * start an h2 router, saying so, rather than serve it over another protocol.
 */
import type { Path } from '../../dtabs/index.js'
import type { ServerTlsConfig } from '../../lib/tls/server-config.js'
import type { ClientTlsConfig } from '../../lib/tls/client-config.js'
import type { Log } from '../../lib/log.js'
import type { Connector } from '../core/handler.js'
import type { LiteralPolicy } from '../core/override-literals.js'
import type { Router } from '../core/router.js'
import type { ClientTlsFiles } from '../h1/upstream-tls-files.js'
import type { RouterServer } from '../h1/listener.js'
import type { ServerStats } from '../metrics/index.js'
import type { H2Settings } from './settings.js'

/** What an h2 server of a router is started with (router/h1/listener.ts's, for HTTP/2). */
export interface H2ServerStart {
  readonly ip: string
  readonly port: number
  readonly clearContext: boolean
  readonly maxConcurrentRequests?: number
  readonly literalOverrides?: LiteralPolicy
  readonly tls?: ServerTlsConfig
  readonly h2?: H2Settings
  readonly log?: Log
  readonly statsFor: (ip: string, port: number) => ServerStats
}

/** What an h2 client's session to one endpoint is held to (router/h2/sessions.ts's options). */
export interface H2ClientStart {
  readonly h2?: H2Settings
  readonly tls?: ClientTlsConfig
  readonly responseTimeoutMs?: number
  /** A session with no stream for this long is closed (`hostConnectionPool.idleTimeMs`). */
  readonly idleTimeMs?: number
  /** Most requests waiting for a stream (`hostConnectionPool.maxWaiters`). */
  readonly maxWaiters?: number
}

/** The two halves of the HTTP/2 transport. */
export interface H2Transport {
  startServer(router: Router, o: H2ServerStart): Promise<RouterServer>
  connector(o: {
    readonly settingsFor: (clientId: Path) => H2ClientStart
    readonly tlsFiles: ClientTlsFiles
  }): Connector
}

/** The HTTP/2 transport of this build (see the file header). */
export const h2Transport: H2Transport | undefined = undefined
