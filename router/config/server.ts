/**
 * A router's `servers[]` entries (linkerd `ServerConfig`, `HttpServerConfig`, `H2ServerConfig`):
 * address, context handling, TLS, limits; h2 servers listen on 4142 by default and take the
 * HTTP/2 settings (router/h2/settings.ts), http servers 4140 and the HTTP/1.1 head timeout. Pure.
 */
import { ConfigError, type Section } from '../../lib/config/section.js'
import {
  defined,
  ipOf,
  IGNORED_KEYS,
  MAX_TIMER_MS,
  refuse,
  REFUSED_KEYS,
  warnIgnored,
  type Warn,
} from '../../lib/config/common.js'
import { parseServerTls, type ServerTlsConfig } from '../../lib/tls/server-config.js'
import {
  DEFAULT_LITERAL_POLICY,
  LITERAL_POLICIES,
  type LiteralPolicy,
} from '../core/override-literals.js'
import type { H2Settings } from '../h2/settings.js'
import { readH2Settings, refuseOtherProtocol, type RouterProtocol } from './h2.js'

export interface ServerConfig {
  readonly ip: string
  /** 0 picks a free port (tests). */
  readonly port: number
  readonly clearContext: boolean
  readonly maxConcurrentRequests?: number
  /** A request head must arrive within this (408 after; default 60 s, in router/h1/server.ts). */
  readonly headTimeoutMs?: number
  /**
   * A whole request, head and body, must arrive within this (408 after; default 300 s); on h2,
   * a stream's request unless its answer has begun.
   */
  readonly receiveTimeoutMs?: number
  /**
   * A keep-alive connection with nothing in progress is closed after this (default 65 s); on
   * h2, a session with no stream open (GOAWAY).
   */
  readonly idleTimeoutMs?: number
  /** `dtabOverrides.literalAddresses`: whom overrides naming `/$/…` addresses are taken from. */
  readonly literalOverrides: LiteralPolicy
  /** Serve HTTPS (the server's `tls` section; docs/tls.md). */
  readonly tls?: ServerTlsConfig
  /** The HTTP/2 settings of an h2 router's server (absent on http servers). */
  readonly h2?: H2Settings
  /** Config location, e.g. `routers[0].servers[1]`. */
  readonly at: string
}

/** linkerd's default server ports. */
const DEFAULT_PORT: Readonly<Record<RouterProtocol, number>> = { http: 4140, h2: 4142 }

/** One `servers[]` entry of a `protocol` router. */
export function parseServer(s: Section, warn: Warn, protocol: RouterProtocol): ServerConfig {
  refuseOtherProtocol(s, 'server', protocol)
  refuse(s, REFUSED_KEYS.server)
  warnIgnored(s, IGNORED_KEYS.server, warn)
  const server = {
    ip: ipOf(s, 'ip', '127.0.0.1'),
    port: s.number('port', DEFAULT_PORT[protocol], { min: 0, max: 65535 }),
    clearContext: s.bool('clearContext', false),
    ...defined({ maxConcurrentRequests: s.optionalNumber('maxConcurrentRequests', { min: 1 }) }),
    ...defined({
      headTimeoutMs:
        protocol === 'http' ? s.optionalNumber('headTimeoutMs', TIMEOUT_BOUNDS) : undefined,
      receiveTimeoutMs: s.optionalNumber('receiveTimeoutMs', TIMEOUT_BOUNDS),
      idleTimeoutMs: s.optionalNumber('idleTimeoutMs', TIMEOUT_BOUNDS),
    }),
    ...(protocol === 'h2' ? { h2: readH2Settings(s, warn, true) } : {}),
    literalOverrides: parseDtabOverrides(s.section('dtabOverrides')),
    ...defined({ tls: parseServerTls(s.section('tls'), { clientNames: true }) }),
    at: s.at,
  }
  s.done()
  return server
}

/** The servers' own timeouts (not linkerd keys; the transports have the defaults). */
const TIMEOUT_BOUNDS = { min: 1, max: MAX_TIMER_MS }

/** A server's `dtabOverrides: { literalAddresses: loopback | all | none }` (docs/security.md). */
function parseDtabOverrides(s: Section | undefined): LiteralPolicy {
  if (s === undefined) return DEFAULT_LITERAL_POLICY
  const policy = s.string('literalAddresses', DEFAULT_LITERAL_POLICY)
  if (!(LITERAL_POLICIES as readonly string[]).includes(policy)) {
    const known = LITERAL_POLICIES.join(', ')
    throw new ConfigError(
      s.where('literalAddresses'),
      `unknown value "${policy}" (known: ${known})`,
    )
  }
  s.done()
  return policy as LiteralPolicy
}
