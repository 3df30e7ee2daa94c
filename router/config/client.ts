/**
 * A router's `client:` and `service:` sections (linkerd `Client`/`ClientConfig`, `Svc`/
 * `SvcConfig`). Both are `kind: io.l5d.global` (the default: keys apply to every client or
 * service) or `kind: io.l5d.static` with `configs: [{prefix, ...keys}]`. Client prefixes are
 * matched against bound ids (`/#/io.l5d.fs/users`, `/$/inet/127.1/80`), service prefixes
 * against logical names (`/svc/users`); both are PathMatchers (`*`, `{var}`). Every matching
 * config applies, later ones winning key by key (a later `loadBalancer` replaces an earlier one
 * whole). Pure: parsing opens nothing.
 */
import { ConfigError, Section } from '../../lib/config/section.js'
import { unknownKind } from '../../lib/plugin.js'
import type { Path } from '../../dtabs/index.js'
import { parseAccrual, type FailureAccrual } from '../accrual/index.js'
import { parseBalancer } from '../balancers/index.js'
import type { BalancerFactory } from '../model.js'
import {
  defined,
  IGNORED_KEYS,
  MAX_TIMER_MS,
  refuse,
  REFUSED_KEYS,
  warnIgnored,
  type Warn,
} from '../../lib/config/common.js'
import {
  readPathMatcher,
  substituteVars,
  templateVars,
  type PathMatcher,
} from '../../namers/rewrite/path-matcher.js'
import { parseClientTls, type ClientTlsConfig } from '../../lib/tls/client-config.js'
import { parseClassifier, type ResponseClassifier } from '../classifiers/index.js'
import type { BudgetConfig } from '../core/retry-budget.js'
import type { H2Settings } from '../h2/settings.js'
import {
  checkClassifierProtocol,
  readH2Settings,
  refuseOtherProtocol,
  type RouterProtocol,
} from './h2.js'
import {
  parseBudget,
  parseRetries,
  parseRetryBufferSize,
  type RetriesConfig,
  type RetryBufferSize,
} from './resilience.js'

/** `hostConnectionPool`: every key optional; the proxy applies its own defaults. */
export interface HostConnectionPoolConfig {
  readonly minSize?: number
  readonly maxSize?: number
  readonly idleTimeMs?: number
  readonly maxWaiters?: number
}

/** The client keys this project uses; absent keys are not set by any matching config. */
export interface ClientParams {
  /** `requeueBudget`: connection failures sent again to another endpoint, within this. */
  readonly requeueBudget?: BudgetConfig
  /** Makes a balancer per client (router/balancers' `parseBalancer`); absent: p2c. */
  readonly loadBalancer?: BalancerFactory
  readonly requestAttemptTimeoutMs?: number
  readonly hostConnectionPool?: HostConnectionPoolConfig
  /**
   * Longest the endpoint may stay silent while a response is awaited or read (not a linkerd
   * key; nginx's `proxy_read_timeout`): the time to the response head, then between two reads.
   */
  readonly responseTimeoutMs?: number
  /** `failureAccrual` (router/accrual's `parseAccrual`); absent: 5 consecutive failures. */
  readonly failureAccrual?: FailureAccrual
  /** A failed connection marks the endpoint down until a TCP connect succeeds (default false). */
  readonly failFast?: boolean
  /** `tls`: TLS to the endpoints; its `commonName` may use the prefix's `{var}` captures. */
  readonly tls?: ClientTlsConfig
  /** An h2 router's HTTP/2 settings toward the endpoints (`h2SettingsFor` merges them). */
  readonly h2?: H2Settings
}

/** What a client's connections to one endpoint are held to, defaults applied (docs/limits.md). */
export interface UpstreamSettings {
  readonly responseTimeoutMs: number
  /** Most connections per endpoint (`hostConnectionPool.maxSize`). */
  readonly maxSize: number
  /** Most requests waiting for a connection per endpoint (`hostConnectionPool.maxWaiters`). */
  readonly maxWaiters: number
  /** Longest an idle connection is kept (`hostConnectionPool.idleTimeMs`). */
  readonly idleTimeMs: number
}

/**
 * The defaults that bound every client: nginx's 60 s read timeout, and envoy's default circuit
 * breaker sizes (1024 connections, 1024 pending requests); linkerd has none of these bounds.
 */
export const UPSTREAM_DEFAULTS: UpstreamSettings = {
  responseTimeoutMs: 60_000,
  maxSize: 1024,
  maxWaiters: 1024,
  idleTimeMs: 60_000,
}

/** The service keys (docs/resilience.md). */
export interface ServiceParams {
  readonly totalTimeoutMs?: number
  readonly responseClassifier?: ResponseClassifier
  readonly retries?: RetriesConfig
  readonly retryBufferSize?: RetryBufferSize
  /** h2: how long to wait for a response stream's end before classifying it (default 100). */
  readonly classificationTimeoutMs?: number
}

export interface PrefixConfig<P> {
  readonly prefix: PathMatcher
  readonly params: P
  /** Config location, e.g. `routers[0].client.configs[1]`. */
  readonly at: string
}

export type ParamsKind = 'io.l5d.global' | 'io.l5d.static'

export interface ClientConfig {
  readonly kind: ParamsKind
  /** For `io.l5d.global`, one config with prefix `/`. */
  readonly configs: readonly PrefixConfig<ClientParams>[]
}

export interface ServiceConfig {
  readonly kind: ParamsKind
  readonly configs: readonly PrefixConfig<ServiceParams>[]
}

const KINDS: readonly ParamsKind[] = ['io.l5d.global', 'io.l5d.static']
const MATCH_ALL = '/'

/** Reads `client:` of a `protocol` router (absent: global with no keys). */
export function parseClient(
  raw: unknown,
  at: string,
  warn: Warn,
  protocol: RouterProtocol = 'http',
): ClientConfig {
  const client = parsePrefixed(raw, at, (s) => clientParams(s, warn, protocol))
  for (const c of client.configs) checkCaptures(c)
  return client
}

/** A `{var}` in `tls.commonName` must be one the config's prefix captures. */
function checkCaptures(c: PrefixConfig<ClientParams>): void {
  const used = templateVars(c.params.tls?.commonName ?? '')
  const missing = used.filter((v) => !c.prefix.vars.includes(v))
  if (missing.length > 0) {
    throw new ConfigError(
      `${c.at}.tls.commonName`,
      `{${missing.join('}, {')}} is not captured by the prefix ${JSON.stringify(c.prefix.pattern)}`,
    )
  }
}

/** Reads `service:` of a `protocol` router (absent: global with no keys). */
export function parseService(
  raw: unknown,
  at: string,
  protocol: RouterProtocol = 'http',
): ServiceConfig {
  return parsePrefixed(raw, at, (s) => serviceParams(s, protocol))
}

function parsePrefixed<P>(
  raw: unknown,
  at: string,
  params: (s: Section) => P,
): { kind: ParamsKind; configs: PrefixConfig<P>[] } {
  const s = new Section(raw ?? {}, at)
  const kind = s.string('kind', 'io.l5d.global')
  if (!(KINDS as readonly string[]).includes(kind)) {
    throw new ConfigError(s.where('kind'), `${unknownKind(kind)} (known: ${KINDS.join(', ')})`)
  }
  if (kind === 'io.l5d.global') {
    const config = { prefix: readPathMatcher(MATCH_ALL, at), params: params(s), at }
    s.done()
    return { kind, configs: [config] }
  }
  if (!s.has('configs')) throw new ConfigError(s.where('configs'), 'required for io.l5d.static')
  const configs = s.list('configs', (item, itemAt) => {
    const c = new Section(item, itemAt)
    const prefix = readPathMatcher(c.string('prefix'), c.where('prefix'))
    const config = { prefix, params: params(c), at: itemAt }
    c.done()
    return config
  })
  s.done()
  return { kind: 'io.l5d.static', configs }
}

/** h2 clients keep one connection per endpoint, its streams multiplexed (as linkerd's). */
const H2_POOL_IGNORED =
  'accepted but ignored (h2 clients keep one session per endpoint, its streams multiplexed)'

/** The pool sizes, which an h2 client has no use for (its idleTimeMs and maxWaiters it has). */
const POOL_SIZES = ['minSize', 'maxSize']

function clientParams(s: Section, warn: Warn, protocol: RouterProtocol): ClientParams {
  refuseOtherProtocol(s, 'client', protocol)
  refuse(s, REFUSED_KEYS.client)
  warnIgnored(s, IGNORED_KEYS.client, warn)
  const h2 = protocol === 'h2' ? readH2Settings(s, warn, false) : undefined
  const pool = s.section('hostConnectionPool')
  if (protocol === 'h2' && pool !== undefined) {
    for (const key of POOL_SIZES) if (pool.has(key)) warn(pool.where(key), H2_POOL_IGNORED)
  }
  const balancer = s.section('loadBalancer')
  const requeueBudget = s.section('requeueBudget')
  const accrual = s.section('failureAccrual')
  const tls = s.section('tls')
  return defined({
    requeueBudget: requeueBudget === undefined ? undefined : parseBudget(requeueBudget),
    loadBalancer: balancer === undefined ? undefined : parseBalancer(balancer),
    requestAttemptTimeoutMs: s.optionalNumber('requestAttemptTimeoutMs', {
      min: 1,
      max: MAX_TIMER_MS,
    }),
    hostConnectionPool: pool === undefined ? undefined : hostConnectionPool(pool),
    responseTimeoutMs: s.optionalNumber('responseTimeoutMs', { min: 1, max: MAX_TIMER_MS }),
    failureAccrual: accrual === undefined ? undefined : parseAccrual(accrual),
    failFast: s.has('failFast') ? s.bool('failFast') : (s.raw('failFast'), undefined),
    tls: tls === undefined ? undefined : parseClientTls(tls),
    h2: h2 === undefined || Object.keys(h2).length === 0 ? undefined : h2,
  })
}

function hostConnectionPool(s: Section): HostConnectionPoolConfig {
  const pool = defined({
    minSize: s.optionalNumber('minSize', { min: 0 }),
    maxSize: s.optionalNumber('maxSize', { min: 1 }),
    idleTimeMs: s.optionalNumber('idleTimeMs', { min: 0, max: MAX_TIMER_MS }),
    maxWaiters: s.optionalNumber('maxWaiters', { min: 0 }),
  })
  s.done()
  if (pool.minSize !== undefined && pool.maxSize !== undefined && pool.minSize > pool.maxSize) {
    throw new ConfigError(s.where('minSize'), `must not exceed maxSize (${pool.maxSize})`)
  }
  return pool
}

function serviceParams(s: Section, protocol: RouterProtocol): ServiceParams {
  refuseOtherProtocol(s, 'service', protocol)
  const classifier = s.section('responseClassifier')
  if (classifier !== undefined) checkClassifierProtocol(classifier, protocol)
  const retries = s.section('retries')
  const buffer = s.section('retryBufferSize')
  return defined({
    totalTimeoutMs: s.optionalNumber('totalTimeoutMs', { min: 1, max: MAX_TIMER_MS }),
    responseClassifier: classifier === undefined ? undefined : parseClassifier(classifier),
    retries: retries === undefined ? undefined : parseRetries(retries),
    retryBufferSize: buffer === undefined ? undefined : parseRetryBufferSize(buffer),
    classificationTimeoutMs: s.optionalNumber('classificationTimeoutMs', {
      min: 0,
      max: MAX_TIMER_MS,
    }),
  })
}

function paramsFor<P extends object>(configs: readonly PrefixConfig<P>[], path: Path): P {
  let merged = {} as P
  for (const c of configs) {
    if (c.prefix.extract(path) !== undefined) merged = { ...merged, ...c.params }
  }
  return merged
}

/** The client keys for bound id `boundId`: every matching config merged, later ones winning. */
export function clientParamsFor(client: ClientConfig, boundId: Path): ClientParams {
  return paramsFor(client.configs, boundId)
}

/**
 * The TLS settings of the client of `boundId`, `commonName` filled with the captures of the
 * last matching config that sets `tls` (the one that wins); undefined: plain TCP.
 */
export function tlsFor(client: ClientConfig, boundId: Path): ClientTlsConfig | undefined {
  let found: { tls: ClientTlsConfig; vars: ReadonlyMap<string, string> } | undefined
  for (const c of client.configs) {
    const tls = c.params.tls
    const vars = tls === undefined ? undefined : c.prefix.extract(boundId)
    if (tls !== undefined && vars !== undefined) found = { tls, vars }
  }
  if (found === undefined || !found.tls.enabled) return undefined
  const { tls, vars } = found
  return tls.commonName === undefined
    ? tls
    : { ...tls, commonName: substituteVars(tls.commonName, vars) }
}

/** The connection bounds of the client of bound id `boundId`, with the defaults filled in. */
export function upstreamSettingsFor(client: ClientConfig, boundId: Path): UpstreamSettings {
  const params = clientParamsFor(client, boundId)
  const pool = params.hostConnectionPool ?? {}
  const d = UPSTREAM_DEFAULTS
  return {
    responseTimeoutMs: params.responseTimeoutMs ?? d.responseTimeoutMs,
    maxSize: pool.maxSize ?? d.maxSize,
    maxWaiters: pool.maxWaiters ?? d.maxWaiters,
    idleTimeMs: pool.idleTimeMs ?? d.idleTimeMs,
  }
}

/**
 * The HTTP/2 settings of an h2 router's client of bound id `boundId`: every matching config's
 * settings merged setting by setting, later ones winning (absent settings: router/h2/settings.ts).
 */
export function h2SettingsFor(client: ClientConfig, boundId: Path): H2Settings {
  let merged: H2Settings = {}
  for (const c of client.configs) {
    if (c.params.h2 !== undefined && c.prefix.extract(boundId) !== undefined) {
      merged = { ...merged, ...c.params.h2 }
    }
  }
  return merged
}

/** The service keys for `logicalName` (e.g. `/svc/users`), merged as for clients. */
export function serviceParamsFor(service: ServiceConfig, logicalName: Path): ServiceParams {
  return paramsFor(service.configs, logicalName)
}
