/**
 * The config file's `admin`, `telemetry` and `usage` sections (linkerd `AdminConfig`,
 * `TelemeterConfig`, `UsageDataTelemeterConfig`).
 */
import { ConfigError, Section } from './section.js'
import { unknownKind } from '../plugin.js'
import { parseServerTls, type ServerTlsConfig } from '../tls/server-config.js'
import { parseProtection } from '../auth/config.js'
import type { TokenSource } from '../auth/token.js'
import {
  defined,
  IGNORED_KEYS,
  ipOf,
  refuse,
  REFUSED_KEYS,
  warnIgnored,
  type Warn,
} from './common.js'

/** `admin.security` (linkerd AdminConfig): kept for the admin server to enforce. */
export interface AdminSecurityConfig {
  readonly uiEnabled: boolean
  readonly controlEnabled: boolean
  readonly diagnosticsEnabled: boolean
  /** Regular expressions a request path must match in full (when set) / must not match. */
  readonly pathWhitelist?: readonly string[]
  readonly pathBlacklist?: readonly string[]
}

export interface AdminConfig {
  readonly ip: string
  readonly port: number
  readonly shutdownGraceMs: number
  readonly security: AdminSecurityConfig
  /** Serve the admin over HTTPS (`admin.tls`, the keys of a server's `tls`; docs/tls.md). */
  readonly tls?: ServerTlsConfig
  /** Not a linkerd key: who may use the mutating admin routes (`POST /admin/shutdown`). */
  readonly auth: AdminAuthConfig
}

/** `admin.auth`: `control` absent or `none` leaves the control routes open (as linkerd). */
export interface AdminAuthConfig {
  readonly control?: TokenSource
}

/** `io.l5d.prometheus`: metrics served at `path` on the admin server, names with `prefix`. */
export interface PrometheusConfig {
  readonly kind: 'io.l5d.prometheus'
  readonly path: string
  readonly prefix: string
}

export type TelemeterConfig = PrometheusConfig

/** Telemeters accepted with a warning: they do nothing here. */
export const IGNORED_TELEMETERS: readonly string[] = [
  'io.l5d.influxdb',
  'io.l5d.recentRequests',
  'io.l5d.statsd',
  'io.l5d.tracelog',
  'io.l5d.zipkin',
]

/** Reads `admin` (absent: every default). */
/** Reads `admin` (namerd's default port is 9991, linkerd's 9990). */
export function parseAdmin(s: Section | undefined, warn: Warn, defaultPort = 9990): AdminConfig {
  const a = s ?? new Section({}, 'admin')
  refuse(a, REFUSED_KEYS.admin)
  warnIgnored(a, IGNORED_KEYS.admin, warn)
  const admin = {
    ip: ipOf(a, 'ip', '127.0.0.1'),
    port: a.number('port', defaultPort, { min: 0, max: 65535 }),
    shutdownGraceMs: a.number('shutdownGraceMs', 10_000, { min: 0 }),
    security: parseSecurity(a.section('security')),
    ...defined({ tls: parseServerTls(a.section('tls')) }),
    auth: parseAdminAuth(a.section('auth')),
  }
  a.done()
  return admin
}

function parseAdminAuth(s: Section | undefined): AdminAuthConfig {
  if (s === undefined) return {}
  const control = parseProtection(s, 'control')
  s.done()
  return control === undefined ? {} : { control }
}

function parseSecurity(s: Section | undefined): AdminSecurityConfig {
  if (s === undefined) return { uiEnabled: true, controlEnabled: true, diagnosticsEnabled: true }
  const regexes = (key: string): string[] | undefined =>
    s.has(key) ? s.list(key, (v, at) => regexOf(v, at)) : (s.raw(key), undefined)
  const security = {
    uiEnabled: s.bool('uiEnabled', true),
    controlEnabled: s.bool('controlEnabled', true),
    diagnosticsEnabled: s.bool('diagnosticsEnabled', true),
    ...defined({
      pathWhitelist: regexes('pathWhitelist'),
      pathBlacklist: regexes('pathBlacklist'),
    }),
  }
  s.done()
  return security
}

function regexOf(v: unknown, at: string): string {
  if (typeof v !== 'string') throw new ConfigError(at, 'expected a regular expression (a string)')
  try {
    new RegExp(v)
  } catch (e) {
    throw new ConfigError(at, `not a regular expression: ${(e as Error).message}`, { cause: e })
  }
  return v
}

/** Reads one `telemetry` entry; undefined for a telemeter that is accepted and ignored. */
export function parseTelemeter(s: Section, warn: Warn): TelemeterConfig | undefined {
  const kind = s.string('kind')
  if (IGNORED_TELEMETERS.includes(kind)) {
    warn(s.at, `${kind} is accepted but ignored (not supported here)`)
    return undefined
  }
  if (kind !== 'io.l5d.prometheus') {
    const known = ['io.l5d.prometheus', ...IGNORED_TELEMETERS].join(', ')
    throw new ConfigError(s.where('kind'), `${unknownKind(kind)} (known: ${known})`)
  }
  const path = s.string('path', '/admin/metrics/prometheus')
  if (!path.startsWith('/')) throw new ConfigError(s.where('path'), 'must start with "/"')
  const telemeter = { kind, path, prefix: s.string('prefix', '') } as const
  s.done()
  return telemeter
}

/** `usage` (anonymous usage reporting) is checked and ignored: nothing is ever reported. */
export function parseUsage(s: Section | undefined): void {
  if (s === undefined) return
  s.optionalString('orgId')
  s.bool('enabled', true)
  s.done()
}
