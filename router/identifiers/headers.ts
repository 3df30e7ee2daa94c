/**
 * Header reads shared by the header-based identifiers. Node gives header names in lower case;
 * finagle's `HeaderMap.get` is case-insensitive and returns the first value of a repeated
 * header, so a value given as a list (`headersDistinct`, or `set-cookie`) yields its first item.
 */
import type { RequestHead } from '../model.js'
import { ConfigError, type Section } from '../../lib/config/section.js'

/**
 * The first value of header `lowerName` (already lower-cased), or undefined: from the raw list
 * when the head has one (no header object is built), else from `headers`.
 */
export function firstValue(req: RequestHead, lowerName: string): string | undefined {
  const raw = req.rawHeaders
  if (raw !== undefined) {
    for (let i = 0; i < raw.length; i += 2) {
      const name = raw[i] as string
      if (name.length === lowerName.length && name.toLowerCase() === lowerName) return raw[i + 1]
    }
    return undefined
  }
  const value = req.headers[lowerName]
  return typeof value === 'string' ? value : value?.[0]
}

/**
 * The last value of header `lowerName` (linkerd's h2 identifiers use the last of a repeated
 * header), scanning the raw list from its end when the head has one.
 */
export function lastValue(req: RequestHead, lowerName: string): string | undefined {
  const raw = req.rawHeaders
  if (raw !== undefined) {
    for (let i = raw.length - 2; i >= 0; i -= 2) {
      const name = raw[i] as string
      if (name.length === lowerName.length && name.toLowerCase() === lowerName) return raw[i + 1]
    }
    return undefined
  }
  const value = req.headers[lowerName]
  return typeof value === 'string' ? value : value?.[value.length - 1]
}

/** RFC 9110 `tchar`: the characters a header name may contain. */
function isTokenChar(c: number): boolean {
  if ((c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a)) {
    return true
  }
  return "!#$%&'*+-.^_`|~".includes(String.fromCharCode(c))
}

/**
 * Reads a header name (key `header`), rejecting what no request can carry; with `pseudo`, an
 * HTTP/2 pseudo-header (`:authority`, `:path`) is a name too.
 */
export function readHeaderName(s: Section, fallback: string, pseudo = false): string {
  const name = s.string('header', fallback)
  const from = pseudo && name.startsWith(':') ? 1 : 0
  let ok = name.length > from
  for (let i = from; ok && i < name.length; i++) ok = isTokenChar(name.charCodeAt(i))
  if (!ok) throw new ConfigError(s.where('header'), `not a header name: ${JSON.stringify(name)}`)
  return name
}
