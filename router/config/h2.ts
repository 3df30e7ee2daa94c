/**
 * What differs between `protocol: http` and `protocol: h2` routers in config (linkerd's
 * `HttpConfig` and `H2Config`): the h2 settings of servers and clients (router/h2/settings.ts),
 * and the keys one protocol has and the other does not. linkerd refuses another protocol's key as
 * an unknown one; here the error says whose key it is. Pure.
 */
import { ConfigError, type Section } from '../../lib/config/section.js'
import { warnIgnored, type Warn } from '../../lib/config/common.js'
import type { H2Settings } from '../h2/settings.js'

/** The protocols a router may have. */
export type RouterProtocol = 'http' | 'h2'

/** The largest value of a 32-bit HTTP/2 setting, and of a flow-control window (RFC 9113 6.5.2). */
const MAX_SETTING = 2 ** 32 - 1
const MAX_WINDOW = 2 ** 31 - 1

/** HTTP/2 setting keys on servers and clients (`maxConcurrentStreamsPerConnection`: servers). */
const SETTING_KEYS = [
  'headerTableBytes',
  'initialStreamWindowBytes',
  'maxFrameBytes',
  'maxHeaderListBytes',
  'maxHeaderListByts',
  'windowUpdateRatio',
]

/** Keys only h2 routers have, by section, and what http routers are told of them. */
export const H2_ONLY = {
  router: ['h2AccessLog', 'h2AccessLogAppend', 'h2AccessLogRollPolicy', 'h2AccessLogRotateCount'],
  server: [...SETTING_KEYS, 'maxConcurrentStreamsPerConnection'],
  client: SETTING_KEYS,
  service: ['classificationTimeoutMs'],
} as const

/** Keys only http routers have (linkerd's and this router's HTTP/1.1 ones), by section. */
export const HTTP_ONLY = {
  router: [
    'httpAccessLog',
    'httpAccessLogAppend',
    'httpAccessLogRollPolicy',
    'httpAccessLogRotateCount',
    'maxHeadersKB',
    'maxInitialLineKB',
    'maxErrResponseKB',
    'streamingEnabled',
    'streamAfterContentLengthKB',
    'compressionLevel',
  ],
  server: ['headTimeoutMs', 'timestampHeader'],
  client: [],
  service: [],
} as const

/** What an h2 router is told of an http key that has an h2 counterpart. */
const H2_INSTEAD: Readonly<Record<string, string>> = {
  httpAccessLog: 'h2AccessLog',
  httpAccessLogAppend: 'h2AccessLogAppend',
  httpAccessLogRollPolicy: 'h2AccessLogRollPolicy',
  httpAccessLogRotateCount: 'h2AccessLogRotateCount',
  maxHeadersKB: 'servers[].maxHeaderListBytes',
}

/** h2 router keys accepted and ignored, as http's access-log rolling keys are. */
const H2_IGNORED_ROUTER_KEYS = [
  'h2AccessLogAppend',
  'h2AccessLogRollPolicy',
  'h2AccessLogRotateCount',
]

/**
 * Throws for the first key of the other protocol in `s` (section `kind` of a `protocol`
 * router), naming whose key it is and, where there is one, the key to use instead.
 */
export function refuseOtherProtocol(
  s: Section,
  kind: keyof typeof H2_ONLY,
  protocol: RouterProtocol,
): void {
  const keys: readonly string[] = protocol === 'h2' ? HTTP_ONLY[kind] : H2_ONLY[kind]
  const key = keys.find((k) => s.has(k))
  if (key === undefined) return
  const other = protocol === 'h2' ? 'http' : 'h2'
  const instead = protocol === 'h2' ? H2_INSTEAD[key] : undefined
  const hint = instead === undefined ? '' : `; h2 routers use ${instead}`
  throw new ConfigError(
    s.where(key),
    `an ${other} ${kind} key, not one of protocol ${protocol}${hint}`,
  )
}

/** An h2 router's `h2AccessLog` (its rolling keys accepted and ignored, with warnings). */
export function h2AccessLog(s: Section, warn: Warn): string | undefined {
  warnIgnored(s, H2_IGNORED_ROUTER_KEYS, warn)
  return s.optionalString('h2AccessLog')
}

/**
 * The HTTP/2 settings of an h2 `servers[]` entry or `client` config; `streams` reads
 * `maxConcurrentStreamsPerConnection` (servers only, as linkerd). `windowUpdateRatio` is
 * accepted with a warning (Node's HTTP/2 sends window updates itself), and linkerd's docs'
 * spelling `maxHeaderListByts` is read as `maxHeaderListBytes`, with a warning.
 */
export function readH2Settings(s: Section, warn: Warn, streams: boolean): H2Settings {
  readWindowUpdateRatio(s, warn)
  const settings: Record<string, number | undefined> = {
    headerTableBytes: s.optionalNumber('headerTableBytes', { min: 0, max: MAX_SETTING }),
    // A window of 0 never opens: the peer could not send one byte of DATA (every body hangs).
    initialStreamWindowBytes: s.optionalNumber('initialStreamWindowBytes', {
      min: 1,
      max: MAX_WINDOW,
    }),
    maxFrameBytes: s.optionalNumber('maxFrameBytes', { min: 16_384, max: 16_777_215 }),
    maxHeaderListBytes: readMaxHeaderList(s, warn),
  }
  if (streams) {
    const max = { min: 1, max: MAX_SETTING }
    settings.maxConcurrentStreamsPerConnection = s.optionalNumber(
      'maxConcurrentStreamsPerConnection',
      max,
    )
  }
  return Object.fromEntries(Object.entries(settings).filter(([, v]) => v !== undefined))
}

function readWindowUpdateRatio(s: Section, warn: Warn): void {
  if (!s.has('windowUpdateRatio')) return void s.raw('windowUpdateRatio')
  s.number('windowUpdateRatio', undefined, { min: 0, max: 1, integer: false })
  const ratio = s.raw('windowUpdateRatio') as number
  if (ratio === 0 || ratio === 1) {
    throw new ConfigError(s.where('windowUpdateRatio'), 'must be between 0 and 1, exclusive')
  }
  warn(
    s.where('windowUpdateRatio'),
    "accepted but ignored (no effect here: Node's HTTP/2 sends window updates itself)",
  )
}

/**
 * The least `maxHeaderListBytes`: a request's four pseudo-header fields alone count over 128
 * bytes (32 each, RFC 9113 6.5.2), so a smaller bound would refuse every request (431); 1,024
 * lets a plain request with a few short headers through.
 */
export const MIN_HEADER_LIST_BYTES = 1024

function readMaxHeaderList(s: Section, warn: Warn): number | undefined {
  const bounds = { min: MIN_HEADER_LIST_BYTES, max: MAX_SETTING }
  if (!s.has('maxHeaderListByts')) return s.optionalNumber('maxHeaderListBytes', bounds)
  if (s.has('maxHeaderListBytes')) {
    throw new ConfigError(s.where('maxHeaderListByts'), 'give maxHeaderListBytes only')
  }
  warn(
    s.where('maxHeaderListByts'),
    "read as maxHeaderListBytes (the spelling in linkerd's h2 docs)",
  )
  return s.number('maxHeaderListByts', undefined, bounds)
}

/** The kind prefix of each protocol's response classifiers (linkerd's `io.l5d.http.*`, `io.l5d.h2.*`). */
const CLASSIFIER_PREFIX: Readonly<Record<RouterProtocol, string>> = {
  http: 'io.l5d.http.',
  h2: 'io.l5d.h2.',
}

/**
 * Throws if a `responseClassifier` section names the other protocol's kind (linkerd's h2
 * routers take only `io.l5d.h2.*` kinds, its http routers only `io.l5d.http.*`), saying which
 * kind to use where there is one.
 */
export function checkClassifierProtocol(s: Section, protocol: RouterProtocol): void {
  const kind = s.raw('kind')
  const other: RouterProtocol = protocol === 'http' ? 'h2' : 'http'
  if (typeof kind !== 'string' || !kind.startsWith(CLASSIFIER_PREFIX[other])) return
  const rest = kind.slice(CLASSIFIER_PREFIX[other].length)
  const hint = rest.startsWith('grpc.') ? '' : ` (use ${CLASSIFIER_PREFIX[protocol]}${rest})`
  throw new ConfigError(
    s.where('kind'),
    `"${kind}" classifies ${other} responses, and this router's protocol is ${protocol}${hint}`,
  )
}
