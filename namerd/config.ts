/**
 * namerd's config file (linkerd 1's namerd format): `admin`, `storage`, `namers`,
 * `interfaces`, `telemetry`. `parseNamerdConfig` is pure: it checks everything strictly (unknown
 * keys and kinds are errors naming their location) and returns plain values plus builders.
 */
import { ConfigError, Section } from '../lib/config/section.js'
import {
  parseAdmin,
  parseTelemeter,
  type AdminConfig,
  type TelemeterConfig,
} from '../lib/config/admin.js'
import { defined, ipOf, type Warn } from '../lib/config/common.js'
import { parseIdentityProtection, type Protection } from '../lib/auth/config.js'
import { parseServerTls, type ServerTlsConfig } from '../lib/tls/server-config.js'
import { checkNotServed, LINKERD_ONLY_INTERFACES, SERVED } from './not-served.js'
import { MAX_BIND_NODES } from '../dtabs/index.js'
import { parseNamers, type NamerSpec } from '../namers/index.js'
import type { StorageDeps } from './storage/index.js'
import { parseStorage } from './storage/index.js'
import { DEFAULT_HISTORY_SIZE, MAX_HISTORY_SIZE, type Backend } from './storage/backend.js'

/** `io.l5d.httpController`: linkerd's HTTP API, plus our watch heartbeat and backlog bound. */
export interface HttpControllerConfig {
  readonly kind: 'io.l5d.httpController'
  readonly at: string
  readonly ip: string
  readonly port: number
  /** A blank line on every watch stream this often, so dead connections are noticed (0: off). */
  readonly heartbeatMs: number
  /** A watch stream whose client is this far behind (KiB of documents not taken) is closed. */
  readonly maxWatchBacklogKB: number
  /** Not a linkerd key: the token writes (and, if set, reads) need; absent: open. */
  readonly auth: ApiAuthConfig
  /** Serve HTTPS with these files (linkerd's server TLS keys), kept current when they change. */
  readonly tls?: ServerTlsConfig
}

/**
 * `auth: { writes, reads }` of an HTTP controller; each absent or `none` is open, otherwise a
 * token and/or client certificate names.
 */
export interface ApiAuthConfig {
  readonly writes?: Protection
  readonly reads?: Protection
}

export interface NamerdConfig {
  readonly admin: AdminConfig
  readonly storage: { readonly kind: string; readonly make: (deps: StorageDeps) => Backend }
  readonly namers: readonly NamerSpec[]
  readonly interfaces: readonly HttpControllerConfig[]
  readonly telemetry: readonly TelemeterConfig[]
  /** Work budget of one bind or delegation (docs/limits.md "Binding"). */
  readonly bindingNodeLimit: number
  /** Past values kept per namespace (`dtabHistorySize`, docs/limits.md "namerd"). */
  readonly dtabHistorySize: number
  readonly warnings: readonly string[]
}

export function parseNamerdConfig(raw: unknown): NamerdConfig {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new ConfigError('(top level)', 'expected an object with "storage" and "interfaces"')
  }
  const warnings: string[] = []
  const warn: Warn = (at, message) => warnings.push(`${at}: ${message}`)
  const s = new Section(raw, '')
  const admin = parseAdmin(s.section('admin'), warn, 9991)
  if (!s.has('storage')) throw new ConfigError('storage', 'required')
  const storageSection = s.raw('storage')
  const storage = {
    kind: new Section(storageSection, 'storage').string('kind'),
    make: parseStorage(storageSection, 'storage'),
  }
  const namers = parseNamers(s.raw('namers'))
  const interfaces = parseInterfaces(s, warn)
  const telemetry = s.list('telemetry', (item, at) => parseTelemeter(new Section(item, at), warn))
  const bindingNodeLimit = s.number('bindingNodeLimit', MAX_BIND_NODES, { min: 1 })
  const dtabHistorySize = s.number('dtabHistorySize', DEFAULT_HISTORY_SIZE, {
    min: 1,
    max: MAX_HISTORY_SIZE,
  })
  s.done()
  checkPorts(admin, interfaces)
  const kept = telemetry.filter((t) => t !== undefined)
  return {
    admin,
    storage,
    namers,
    interfaces,
    telemetry: kept,
    bindingNodeLimit,
    dtabHistorySize,
    warnings,
  }
}

/**
 * The interfaces served: at least one must be listed, and at least one of those served. A
 * namerd serving none would look healthy on its admin port while no router or namerctl could
 * reach it, so a config listing only interfaces we do not serve is refused (docs/namerd.md).
 */
function parseInterfaces(s: Section, warn: Warn): HttpControllerConfig[] {
  if (!s.has('interfaces')) throw new ConfigError('interfaces', 'required (at least one)')
  const listed = s.list('interfaces', (item, at) => parseInterface(new Section(item, at), warn))
  if (listed.length === 0) throw new ConfigError('interfaces', 'at least one is required')
  const served = listed.filter((i) => typeof i !== 'string')
  if (served.length === 0) {
    throw new ConfigError(
      'interfaces',
      `none of them is served here (${listed.join(', ')}); add one of kind ${SERVED}, the only interface this namerd serves`,
    )
  }
  return served
}

/** An HTTP controller's config, or the kind of an interface we do not serve (warned about). */
function parseInterface(s: Section, warn: Warn): HttpControllerConfig | string {
  const kind = s.string('kind')
  if (LINKERD_ONLY_INTERFACES.includes(kind)) return checkNotServed(s, kind, warn)
  if (kind !== SERVED) {
    const others = LINKERD_ONLY_INTERFACES.join(', ')
    throw new ConfigError(
      s.where('kind'),
      `unknown kind "${kind}" (known: ${SERVED}; not served here: ${others})`,
    )
  }
  const tls = parseServerTls(s.section('tls'))
  const config = {
    kind,
    at: s.at,
    ip: ipOf(s, 'ip', '127.0.0.1'),
    port: s.number('port', 4180, { min: 0, max: 65535 }),
    heartbeatMs: s.number('heartbeatMs', 10_000, { min: 0 }),
    maxWatchBacklogKB: s.number('maxWatchBacklogKB', 8192, { min: 1 }),
    auth: parseApiAuth(s.section('auth'), tls),
    ...defined({ tls }),
  } as const
  s.done()
  return config
}

function parseApiAuth(s: Section | undefined, tls: ServerTlsConfig | undefined): ApiAuthConfig {
  if (s === undefined) return {}
  const auth = defined({
    writes: parseIdentityProtection(s, 'writes'),
    reads: parseIdentityProtection(s, 'reads'),
  })
  for (const [key, p] of Object.entries(auth)) {
    if (p?.identities !== undefined && tls?.caCertPath === undefined) {
      throw new ConfigError(
        `${s.where(key)}.identities`,
        'client identities need tls with caCertPath on this interface (the CA that signs client certificates)',
      )
    }
  }
  s.done()
  return auth
}

function checkPorts(admin: AdminConfig, interfaces: readonly HttpControllerConfig[]): void {
  const seen = new Map<string, string>([[`${admin.ip}:${admin.port}`, 'admin']])
  for (const i of interfaces) {
    const key = `${i.ip}:${i.port}`
    const other = seen.get(key)
    if (other !== undefined && i.port !== 0)
      throw new ConfigError(i.at, `${key} is also used by ${other}`)
    seen.set(key, i.at)
  }
}
