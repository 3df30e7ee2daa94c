/**
 * Header reads shared by the header-based identifiers. Node gives header names in lower case;
 * finagle's `HeaderMap.get` is case-insensitive and returns the first value of a repeated
 * header, so a value given as a list (`headersDistinct`, or `set-cookie`) yields its first item.
 */
import type { IncomingHttpHeaders } from 'node:http'
import { ConfigError, type Section } from '../../lib/config.js'

/** The first value of header `lowerName` (already lower-cased), or undefined. */
export function firstValue(headers: IncomingHttpHeaders, lowerName: string): string | undefined {
  const value = headers[lowerName]
  return typeof value === 'string' ? value : value?.[0]
}

/** RFC 9110 `tchar`: the characters a header name may contain. */
function isTokenChar(c: number): boolean {
  if ((c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a)) {
    return true
  }
  return "!#$%&'*+-.^_`|~".includes(String.fromCharCode(c))
}

/** Reads a header name (key `header`), rejecting what no HTTP/1 request can carry. */
export function readHeaderName(s: Section, fallback: string): string {
  const name = s.string('header', fallback)
  let ok = name.length > 0
  for (let i = 0; ok && i < name.length; i++) ok = isTokenChar(name.charCodeAt(i))
  if (!ok) throw new ConfigError(s.where('header'), `not a header name: ${JSON.stringify(name)}`)
  return name
}
