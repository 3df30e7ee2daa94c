/**
 * Header fields between the core's flat lists and node:http2's header objects, for requests the
 * router sends and answers it receives.
 */
import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http2'
import { UpstreamError, type UpstreamRequest } from '../core/handler.js'
import { addField, CONNECTION_SPECIFIC } from './fields.js'

/** A field name as RFC 9110 allows (a token), lower-cased as HTTP/2 requires. */
const FIELD_NAME = /^[!#$%&'*+\-.^_`|~0-9a-z]+$/

/**
 * The request's header object: the pseudo-headers (`:authority` from `host`, else the
 * endpoint), its fields lower-cased (repeated names as arrays, single-value ones once), and
 * always `te: trailers`, which gRPC endpoints require and every HTTP/2 endpoint accepts. A
 * field name that is no token throws an UpstreamError: node:http2 would refuse it by destroying
 * the whole session, streams of other calls included.
 */
export function requestHeaders(
  req: UpstreamRequest,
  scheme: 'http' | 'https',
  endpoint: string,
): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = {
    ':method': req.method,
    ':scheme': scheme,
    ':path': req.path,
    ':authority': endpoint,
  }
  const h = req.headers
  for (let i = 0; i < h.length; i += 2) {
    const name = (h[i] as string).toLowerCase()
    const value = h[i + 1] as string
    if (name === 'host') out[':authority'] = value
    // The core removes hop-by-hop fields already: this guards against a request that kept one.
    else if (name.charCodeAt(0) === 58 /* : */ || CONNECTION_SPECIFIC.has(name)) continue
    else if (FIELD_NAME.test(name)) addField(out, name, value)
    else throw badName(name)
  }
  out.te = 'trailers'
  return out
}

function badName(name: string): UpstreamError {
  return new UpstreamError(
    'H2_BAD_HEADER',
    `the header name ${JSON.stringify(name)} cannot be sent over HTTP/2 (not a token)`,
  )
}

/** An answer's header (or trailer) object as a flat `[name, value, …]`, pseudo-headers left out. */
export function flatFields(headers: IncomingHttpHeaders): string[] {
  const out: string[] = []
  for (const name of Object.keys(headers)) {
    if (name.charCodeAt(0) === 58 /* : */) continue
    const value = headers[name]
    if (Array.isArray(value)) for (const v of value) out.push(name, v)
    else if (value !== undefined) out.push(name, value)
  }
  return out
}
