/**
 * Header fields as node:http2 takes them: the core's flat `[name, value, …]` lists (an answer's
 * fields, its trailers) turned into Node's header object, lower-case names, without what HTTP/2
 * forbids. Connection-specific fields (RFC 9113 8.2.2) are dropped rather than sent (Node
 * throws on them); pseudo-header fields from an upstream are never copied.
 */
import type { OutgoingHttpHeaders } from 'node:http2'

/** Connection-specific fields (RFC 9113 8.2.2): meaningless in HTTP/2, refused by Node. */
export const CONNECTION_SPECIFIC: ReadonlySet<string> = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'upgrade',
  'http2-settings',
  'te',
])

/** Fields Node sends once only (its single-value list): the first value counts. */
const SINGLE_VALUE = new Set([
  'access-control-allow-credentials',
  'access-control-max-age',
  'access-control-request-method',
  'age',
  'authorization',
  'content-encoding',
  'content-language',
  'content-length',
  'content-location',
  'content-md5',
  'content-range',
  'content-type',
  'date',
  'dnt',
  'etag',
  'expires',
  'from',
  'host',
  'if-match',
  'if-modified-since',
  'if-none-match',
  'if-range',
  'if-unmodified-since',
  'last-modified',
  'location',
  'max-forwards',
  'proxy-authorization',
  'range',
  'referer',
  'retry-after',
  'tk',
  'upgrade-insecure-requests',
  'user-agent',
  'x-content-type-options',
])

const COLON = 0x3a

/**
 * `flat`'s fields added to `into` (which may already hold `:status`): repeated names become a
 * list, except single-value ones (the first value counts).
 */
export function h2Fields(flat: readonly string[], into: OutgoingHttpHeaders): OutgoingHttpHeaders {
  for (let i = 0; i < flat.length; i += 2) {
    const name = (flat[i] as string).toLowerCase()
    if (name.charCodeAt(0) === COLON || CONNECTION_SPECIFIC.has(name)) continue
    addField(into, name, flat[i + 1] as string)
  }
  return into
}

/**
 * Adds one field (`name` lower-case) to `into`: a repeated name becomes a list, except one Node
 * sends once only, whose first value counts (Node would throw ERR_HTTP2_HEADER_SINGLE_VALUE on a
 * list, refusing the whole message; its own server keeps the first of such a pair too).
 */
export function addField(into: OutgoingHttpHeaders, name: string, value: string): void {
  const had = into[name]
  if (had === undefined) into[name] = value
  else if (SINGLE_VALUE.has(name)) return
  else if (Array.isArray(had)) had.push(value)
  else into[name] = [String(had), value]
}
