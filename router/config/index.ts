/**
 * The router's config file (linkerd 1's format: `admin`, `namers`, `routers`, `telemetry`,
 * `usage`), read strictly: unknown keys and kinds are errors naming their location; linkerd
 * keys that have no effect here are accepted and reported in `warnings`; linkerd features that
 * would change routing or security if ignored (TLS, other protocols, namerd interpreters) are
 * errors saying they are not supported. Routers are `protocol: http` or `protocol: h2` (the keys
 * that differ: ./h2.ts). `parseConfig` is pure: it opens nothing, and returns
 * plain values plus builders (namers, interpreters) that `start` calls.
 */
import { isIP } from 'node:net'
import { ConfigError, Section } from '../../lib/config/section.js'
import {
  EMPTY_DTAB,
  MAX_BIND_NODES,
  readDtab,
  readPath,
  type Dtab,
  type Path,
} from '../../dtabs/index.js'
import {
  parseAdmin,
  parseTelemeter,
  parseUsage,
  type AdminConfig,
  type TelemeterConfig,
} from '../../lib/config/admin.js'
import { parseClient, parseService, type ClientConfig, type ServiceConfig } from './client.js'
import {
  defined,
  IGNORED_KEYS,
  MAX_TIMER_MS,
  warnIgnored,
  type Warn,
} from '../../lib/config/common.js'
import { parseIdentifiers } from '../identifiers/index.js'
import { parseInterpreter, type InterpreterSpec } from '../interpreters/index.js'
import type { Identifier, IdentifierDeps } from '../model.js'
import { parseNamers, type NamerSpec } from '../../namers/index.js'
import { h2AccessLog, refuseOtherProtocol, type RouterProtocol } from './h2.js'
import { parseServer, type ServerConfig } from './server.js'

export type {
  AdminConfig,
  AdminSecurityConfig,
  PrometheusConfig,
  TelemeterConfig,
} from '../../lib/config/admin.js'
export { IGNORED_TELEMETERS } from '../../lib/config/admin.js'
export { IGNORED_KEYS, REFUSED_KEYS, type RawConfig } from '../../lib/config/common.js'
export type { ServerConfig } from './server.js'
export type { RouterProtocol } from './h2.js'
export {
  clientParamsFor,
  h2SettingsFor,
  serviceParamsFor,
  tlsFor,
  type ClientConfig,
  type ClientParams,
  type HostConnectionPoolConfig,
  type PrefixConfig,
  type ServiceConfig,
  type ServiceParams,
  UPSTREAM_DEFAULTS,
  upstreamSettingsFor,
  type UpstreamSettings,
} from './client.js'

/** linkerd's four cache levels: capacities and idle expiry. */
export interface BindingCacheConfig {
  readonly paths: number
  readonly trees: number
  readonly bounds: number
  readonly clients: number
  readonly idleTtlSecs: number
}

/**
 * The router's `identifier` (one section or a list; absent: linkerd's `io.l5d.header.token` on
 * `Host`), checked by router/identifiers' `parseIdentifiers`; `make` builds the identifier.
 */
export interface IdentifierConfig {
  readonly at: string
  readonly make: (deps: IdentifierDeps) => Identifier
}

/**
 * One `protocol: http` or `protocol: h2` router: the same routing, over HTTP/1.1 or HTTP/2
 * (h2 servers and clients carry HTTP/2 settings, `ServerConfig.h2` and `h2SettingsFor`).
 */
export interface HttpRouterConfig {
  readonly protocol: RouterProtocol
  /** Unique among routers; default the protocol name. */
  readonly label: string
  /** Config location, `routers[i]`. */
  readonly at: string
  readonly dstPrefix: Path
  readonly dtab: Dtab
  readonly identifier: IdentifierConfig
  readonly interpreter: InterpreterSpec
  readonly servers: readonly ServerConfig[]
  readonly client: ClientConfig
  readonly service: ServiceConfig
  readonly bindingTimeoutMs: number
  readonly bindingCache: BindingCacheConfig
  /** Work budget of one bind or delegation (`bindingNodeLimit`, docs/limits.md "Binding"). */
  readonly bindingNodeLimit: number
  /** HTTP/1.1 head bounds (http routers; an h2 router's are `maxHeaderListBytes`). */
  readonly maxHeadersKB: number
  readonly maxInitialLineKB: number
  /** `httpAccessLog` (http) or `h2AccessLog` (h2): the access log file. */
  readonly accessLog?: string
}

/** A whole config file, checked. `warnings` lists what was accepted but has no effect. */
export interface RouterConfig {
  readonly admin: AdminConfig
  readonly namers: readonly NamerSpec[]
  readonly routers: readonly HttpRouterConfig[]
  readonly telemetry: readonly TelemeterConfig[]
  readonly warnings: readonly string[]
}

/** Router protocols linkerd has that this project does not (yet). */
export const NOT_YET_PROTOCOLS: readonly string[] = ['mux', 'thrift', 'thriftmux']

const PROTOCOLS: readonly RouterProtocol[] = ['http', 'h2']

/** Checks a config file's content (YAML or JSON already parsed). Pure; throws ConfigError. */
export function parseConfig(raw: unknown): RouterConfig {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new ConfigError('(top level)', 'expected an object with a "routers" list')
  }
  const warnings: string[] = []
  const warn: Warn = (at, message) => warnings.push(`${at}: ${message}`)
  const s = new Section(raw, '')
  const admin = parseAdmin(s.section('admin'), warn)
  const namers = parseNamers(s.raw('namers'))
  const telemetry = s.list('telemetry', (item, at) => parseTelemeter(new Section(item, at), warn))
  parseUsage(s.section('usage'))
  if (!s.has('routers')) throw new ConfigError('routers', 'required (at least one router)')
  const routers = s.list('routers', (item, at) => parseRouter(new Section(item, at), warn))
  if (routers.length === 0) throw new ConfigError('routers', 'at least one router is required')
  s.done()
  checkLabels(routers)
  checkAddresses(admin, routers)
  return {
    admin,
    namers,
    routers,
    telemetry: telemetry.filter((t) => t !== undefined),
    warnings,
  }
}

function readProtocol(s: Section): RouterProtocol {
  const protocol = s.string('protocol')
  if ((PROTOCOLS as readonly string[]).includes(protocol)) return protocol as RouterProtocol
  const why = NOT_YET_PROTOCOLS.includes(protocol)
    ? `protocol "${protocol}" exists in linkerd but is not supported here yet`
    : `unknown protocol "${protocol}"`
  throw new ConfigError(s.where('protocol'), `${why} (known: ${PROTOCOLS.join(', ')})`)
}

function parseRouter(s: Section, warn: Warn): HttpRouterConfig {
  const protocol = readProtocol(s)
  refuseOtherProtocol(s, 'router', protocol)
  s.bool('experimental', false)
  warnIgnored(s, IGNORED_KEYS.router, warn)
  const label = s.string('label', protocol)
  if (label === '') throw new ConfigError(s.where('label'), 'must not be empty')
  const dtab = s.value('dtab', readDtab, EMPTY_DTAB)
  if (!s.has('servers')) throw new ConfigError(s.where('servers'), 'required (at least one server)')
  const servers = s.list('servers', (item, at) =>
    parseServer(new Section(item, at), warn, protocol),
  )
  if (servers.length === 0)
    throw new ConfigError(s.where('servers'), 'at least one server is required')
  const router: HttpRouterConfig = {
    protocol,
    label,
    at: s.at,
    dstPrefix: s.value('dstPrefix', readPath, ['svc']),
    dtab,
    identifier: {
      at: s.where('identifier'),
      make: parseIdentifiers(s.raw('identifier'), s.where('identifier'), protocol),
    },
    interpreter: parseInterpreter(s.raw('interpreter'), s.where('interpreter')),
    servers,
    client: parseClient(s.raw('client'), s.where('client'), warn, protocol),
    service: parseService(s.raw('service'), s.where('service'), protocol),
    bindingTimeoutMs: s.number('bindingTimeoutMs', 10_000, { min: 1, max: MAX_TIMER_MS }),
    bindingCache: parseBindingCache(s.section('bindingCache')),
    bindingNodeLimit: s.number('bindingNodeLimit', MAX_BIND_NODES, { min: 1 }),
    maxHeadersKB: s.number('maxHeadersKB', 8, { min: 1 }),
    maxInitialLineKB: s.number('maxInitialLineKB', 4, { min: 1 }),
    ...defined({
      accessLog: protocol === 'h2' ? h2AccessLog(s, warn) : s.optionalString('httpAccessLog'),
    }),
  }
  s.done()
  return router
}

function parseBindingCache(s: Section | undefined): BindingCacheConfig {
  const c = s ?? new Section({}, 'bindingCache')
  const cache = {
    paths: c.number('paths', 1000, { min: 1 }),
    trees: c.number('trees', 1000, { min: 1 }),
    bounds: c.number('bounds', 1000, { min: 1 }),
    clients: c.number('clients', 1000, { min: 1 }),
    idleTtlSecs: c.number('idleTtlSecs', 600, { min: 1 }),
  }
  c.done()
  return cache
}

function checkLabels(routers: readonly HttpRouterConfig[]): void {
  routers.forEach((r, i) => {
    const first = routers.slice(0, i).find((o) => o.label === r.label)
    if (first !== undefined) {
      throw new ConfigError(
        `${r.at}.label`,
        `label "${r.label}" is already used by ${first.at} (router labels must be unique)`,
      )
    }
  })
}

/** No two listeners (servers of any router, and admin) may share a port on overlapping IPs. */
function checkAddresses(admin: AdminConfig, routers: readonly HttpRouterConfig[]): void {
  const used: { ip: string; port: number; at: string }[] = [{ ...admin, at: 'admin' }]
  for (const server of routers.flatMap((r) => r.servers)) {
    if (server.port === 0) continue
    const clash = used.find((u) => u.port === server.port && sameHost(u.ip, server.ip))
    if (clash !== undefined) {
      const addr =
        isIP(server.ip) === 6 ? `[${server.ip}]:${server.port}` : `${server.ip}:${server.port}`
      throw new ConfigError(server.at, `${addr} is already used by ${clash.at}`)
    }
    used.push(server)
  }
}

/** Same address, or either one is a wildcard (`0.0.0.0`, `::`) that would take the port. */
function sameHost(a: string, b: string): boolean {
  const na = normalIp(a)
  const nb = normalIp(b)
  return na === nb || WILDCARDS.has(na) || WILDCARDS.has(nb)
}

const WILDCARDS = new Set(['0.0.0.0', '[::]'])

function normalIp(ip: string): string {
  return isIP(ip) === 6 ? new URL(`http://[${ip}]/`).hostname : ip
}
