/**
 * Absolute-form request targets (`GET http://host:8080/a?b HTTP/1.1`, sent to a forward proxy)
 * are turned into origin-form before identification, as linkerd's server-side
 * `ProxyRewriteFilter` does: the authority becomes the `Host` header and the URL keeps only the
 * path, query and fragment. The router calls `originForm` once per request, before identifying
 * and before forwarding, so that identifiers and the upstream see the same head.
 */
import type { IncomingHttpHeaders } from 'node:http'
import type { RequestHead } from '../model.js'

const SLASH = 0x2f

function isAlpha(c: number): boolean {
  return (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a)
}

/** RFC 3986 `scheme` characters after the first: ALPHA / DIGIT / "+" / "-" / ".". */
function isSchemeChar(c: number): boolean {
  return isAlpha(c) || (c >= 0x30 && c <= 0x39) || c === 0x2b || c === 0x2d || c === 0x2e
}

/** The index just after `scheme://` if `url` starts with one, else -1. */
function authorityStart(url: string): number {
  if (!isAlpha(url.charCodeAt(0))) return -1
  let i = 1
  while (i < url.length && isSchemeChar(url.charCodeAt(i))) i++
  return url.startsWith('://', i) ? i + 3 : -1
}

/** The index where the authority starting at `start` ends: at `/`, `?`, `#` or the end. */
function authorityEnd(url: string, start: number): number {
  let i = start
  for (; i < url.length; i++) {
    const c = url.charCodeAt(i)
    if (c === SLASH || c === 0x3f || c === 0x23) break
  }
  return i
}

/**
 * `head` with an absolute-form URL rewritten to origin-form and `Host` set to its authority (an
 * empty authority removes `Host`; userinfo never gets here: the HTTP/1.1 server refuses it with
 * `ERR_URL_USERINFO`, so it cannot become a `Host`). An
 * empty path becomes `/`. Any other URL (origin-form, `*`, authority-form) returns `head`
 * itself; never throws.
 */
export function originForm(head: RequestHead): RequestHead {
  const url = head.url
  if (url.charCodeAt(0) === SLASH) return head
  const start = authorityStart(url)
  if (start === -1) return head
  const end = authorityEnd(url, start)
  const rest = url.slice(end)
  const authority = url.slice(start, end)
  const headers: IncomingHttpHeaders = { ...head.headers, host: authority }
  if (authority === '') delete headers.host
  return {
    method: head.method,
    url: rest.charCodeAt(0) === SLASH ? rest : '/' + rest,
    httpVersion: head.httpVersion,
    headers,
  }
}
