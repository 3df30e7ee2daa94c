/**
 * A router's `servers[]` entries (linkerd `ServerConfig`, `HttpServerConfig`, `H2ServerConfig`):
 * address, context handling, TLS, limits; h2 servers listen on 4142 by default and take the
 * HTTP/2 settings (router/h2/settings.ts), http servers 4140 and the HTTP/1.1 timeouts. Pure.
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
  /** A whole request, head and body, must arrive within this (408 after; default 300 s). */
  readonly receiveTimeoutMs?: number
  /** A keep-alive connection with nothing in progress is closed after this (default 65 s). */
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
    ...(protocol === 'h2' ? { h2: readH2Settings(s, warn, true) } : http1Timeouts(s)),
    literalOverrides: parseDtabOverrides(s.section('dtabOverrides')),
    ...defined({ tls: parseServerTls(s.section('tls'), { clientNames: true }) }),
    at: s.at,
  }
  s.done()
  return server
}

/** The HTTP/1.1 server's own timeouts (not linkerd keys; router/h1/server.ts has the defaults). */
function http1Timeouts(s: Section) {
  return defined({
    headTimeoutMs: s.optionalNumber('headTimeoutMs', { min: 1, max: MAX_TIMER_MS }),
    receiveTimeoutMs: s.optionalNumber('receiveTimeoutMs', { min: 1, max: MAX_TIMER_MS }),
    idleTimeoutMs: s.optionalNumber('idleTimeoutMs', { min: 1, max: MAX_TIMER_MS }),
  })
}

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
