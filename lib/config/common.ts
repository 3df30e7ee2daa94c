/**
 * What the config readers share: how a warning is recorded, the linkerd keys accepted and
 * ignored (all listed here, in one place) and the ones refused, and small helpers.
 */
import { parseIpLiteral } from '../ip.js'
import { ConfigError, type Section } from './section.js'

/** A section kept as written, for a module that parses it later (its location included). */
export interface RawConfig {
  readonly raw: unknown
  readonly at: string
}

/**
 * The longest delay a Node timer can wait (2^31 - 1 ms, about 24.8 days); a longer one fires at
 * once. Every duration key in milliseconds is bounded by it.
 */
export const MAX_TIMER_MS = 2_147_483_647

/** Records a warning (`at: message`). */
export type Warn = (at: string, message: string) => void

/**
 * linkerd keys accepted and ignored because they have no effect here; each one present gives
 * the warning `<location>: accepted but ignored (no effect here)`.
 */
export const IGNORED_KEYS = {
  admin: ['httpIdentifierPort', 'socketOptions', 'workerThreads'],
  router: [
    'announcers',
    'compressionLevel',
    'httpAccessLogAppend',
    'httpAccessLogRollPolicy',
    'httpAccessLogRotateCount',
    'maxErrResponseKB',
    'originator',
    'streamAfterContentLengthKB',
    'streamingEnabled',
    'tracePropagator',
  ],
  server: [
    'addForwardedHeader',
    'announce',
    'label',
    'maxCallDepth',
    'serverSession',
    'socketOptions',
    'timeoutMs',
    'timestampHeader',
  ],
  client: ['clientSession', 'forwardClientCert', 'socketOptions'],
} as const

/**
 * linkerd keys refused: ignoring them would weaken security (plain text where TLS was asked
 * for, requests let through that an authorizer would stop).
 */
export const REFUSED_KEYS = {
  admin: [],
  server: [],
  client: ['requestAuthorizers'],
} as const

/** Warns once for each of `keys` present in `s`, and marks them read. */
export function warnIgnored(s: Section, keys: readonly string[], warn: Warn): void {
  for (const key of keys) {
    if (s.has(key)) warn(s.where(key), 'accepted but ignored (no effect here)')
    s.ignore(key)
  }
}

/** Throws for the first of `keys` present in `s`: `<location>: <key> is not supported here yet`. */
export function refuse(s: Section, keys: readonly string[]): void {
  for (const key of keys) {
    const what = key === 'tls' ? 'TLS' : key
    if (s.has(key)) throw new ConfigError(s.where(key), `${what} is not supported here yet`)
  }
}

/** `obj` without its undefined members (so that merging never unsets a key). */
export function defined<T extends object>(obj: T): T {
  return Object.fromEntries(Object.entries(obj).filter(([, v]) => v !== undefined)) as T
}

/**
 * An IP address literal (no host names: nothing is resolved while parsing), read as linkerd
 * reads one (`127.1` is 127.0.0.1) and given in its canonical spelling.
 */
export function ipOf(s: Section, key: string, fallback: string): string {
  const text = s.string(key, fallback)
  const ip = parseIpLiteral(text)
  if (ip === undefined) {
    throw new ConfigError(
      s.where(key),
      `expected an IP address such as 127.0.0.1 or 0.0.0.0, got "${text}"`,
    )
  }
  return ip
}
