/**
 * linkerd namerd interfaces this namerd does not serve (ThriftMux, gRPC). Almost every linkerd
 * namerd config lists one next to the HTTP controller, so they are accepted: their keys are
 * checked as linkerd types them (so a typo is still an error), then a warning says the
 * interface is left out.
 */
import type { Section } from '../lib/config/section.js'
import type { Warn } from '../lib/config/common.js'

/** The one interface kind this namerd serves. */
export const SERVED = 'io.l5d.httpController'

/** A key's type; `object` keys (tls, socketOptions, cache) are checked to be objects only. */
type KeyType = 'string' | 'bool' | 'int' | 'port' | 'object'
type Keys = Readonly<Record<string, KeyType>>

/** What every linkerd interface takes (its `InterfaceConfig`). */
const COMMON_KEYS: Keys = { ip: 'string', port: 'port', socketOptions: 'object', tls: 'object' }

/** Each interface we do not serve, with its own keys besides the common ones. */
const NOT_SERVED = new Map<string, Keys>([
  ['io.l5d.thriftNameInterpreter', { cache: 'object' }],
  [
    'io.l5d.mesh',
    {
      h2AccessLog: 'string',
      h2AccessLogRollPolicy: 'string',
      h2AccessLogAppend: 'bool',
      h2AccessLogRotateCount: 'int',
    },
  ],
  ['io.l5d.destination', { prefix: 'string', namespace: 'string' }],
])

/** linkerd interface kinds that are accepted, warned about and not served. */
export const LINKERD_ONLY_INTERFACES: readonly string[] = [...NOT_SERVED.keys()]

/**
 * Checks interface `s` of `kind` (one of `LINKERD_ONLY_INTERFACES`): present keys must have
 * linkerd's types and no other key is allowed. Warns `<at>: <kind> is not served here …;
 * ignored` and returns `kind`.
 */
export function checkNotServed(s: Section, kind: string, warn: Warn): string {
  const keys: Keys = { ...COMMON_KEYS, ...NOT_SERVED.get(kind) }
  for (const [key, type] of Object.entries(keys)) {
    if (!s.has(key)) continue
    if (type === 'string') s.string(key)
    else if (type === 'bool') s.bool(key)
    else if (type === 'int') s.number(key)
    else if (type === 'port') s.number(key, undefined, { min: 0, max: 65535 })
    else s.section(key)
  }
  s.done()
  warn(s.at, `${kind} is not served here (namerd serves ${SERVED} only); ignored`)
  return kind
}
