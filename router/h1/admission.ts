import { RequestRefusal } from './refusal.js'

/** What the HTTP/1.1 server decides about a request before the router sees it. */
export interface Admission {
  /** Why it is answered here (the connection then closes), or undefined to route it. */
  readonly refusal: RequestRefusal | undefined
  /** Send `100 Continue` when the request's turn comes. */
  readonly expectContinue: boolean
}

/**
 * Refused here, in this order: a version other than HTTP/1.0 and 1.1 (505: Node's parser
 * passes 0.9 and 2.0 heads); CONNECT (405: a router of HTTP requests carries no tunnels); a
 * `Transfer-Encoding` other than `chunked` alone (501, as nginx: the parser would pass
 * `gzip, chunked` on as a plain body, and fails `identity` only after the head); an
 * absolute-form URL with userinfo (400, RFC 9110 4.2.4: it would otherwise become `Host`). `Expect:
 * 100-continue` is honoured on HTTP/1.1 and ignored on HTTP/1.0, which has no 100 status (RFC 9110
 * 10.1.1); any other expectation cannot be met (417).
 */
export function admission(
  method: string,
  url: string,
  version: string,
  raw: readonly string[],
): Admission {
  const refusal = refusalOf(method, url, version, raw)
  if (refusal !== undefined) return { refusal, expectContinue: false }
  const expect = field(raw, 'expect')?.trim().toLowerCase()
  if (expect === undefined) return ROUTE
  if (expect !== '100-continue') {
    const why = `expectation not supported: ${JSON.stringify(expect)} (only 100-continue)`
    return { refusal: new RequestRefusal('ERR_EXPECTATION_FAILED', why), expectContinue: false }
  }
  return version === '1.1' ? CONTINUE : ROUTE
}

const ROUTE: Admission = { refusal: undefined, expectContinue: false }
const CONTINUE: Admission = { refusal: undefined, expectContinue: true }

function refusalOf(
  method: string,
  url: string,
  version: string,
  raw: readonly string[],
): RequestRefusal | undefined {
  if (version !== '1.1' && version !== '1.0')
    return new RequestRefusal('ERR_HTTP_VERSION', `HTTP/${version} is not supported (HTTP/1.1)`)
  if (method === 'CONNECT')
    return new RequestRefusal('ERR_TUNNEL_REFUSED', 'CONNECT is not supported (no tunnels)')
  const codings = transferCodings(raw)
  if (codings !== undefined && codings !== 'chunked') {
    const why = `Transfer-Encoding ${JSON.stringify(codings)} is not supported (only chunked)`
    return new RequestRefusal('ERR_TRANSFER_CODING', why)
  }
  if (hasUserinfo(url))
    return new RequestRefusal('ERR_URL_USERINFO', 'userinfo (user@) is not allowed in the URL')
  return undefined
}

/** Every `Transfer-Encoding` field's codings, lower case, joined by `, `; undefined if none. */
function transferCodings(raw: readonly string[]): string | undefined {
  let out: string[] | undefined
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i] as string
    if (name.length !== 17 || name.toLowerCase() !== 'transfer-encoding') continue
    for (const c of (raw[i + 1] as string).split(',')) (out ??= []).push(c.trim().toLowerCase())
  }
  return out?.join(', ')
}

/** An absolute-form target whose authority has `user@`. */
function hasUserinfo(url: string): boolean {
  if (url.charCodeAt(0) === 0x2f) return false
  const start = url.indexOf('://')
  if (start <= 0) return false
  const rest = url.slice(start + 3)
  const end = rest.search(/[/?#]/)
  return (end === -1 ? rest : rest.slice(0, end)).includes('@')
}

/** The first value of the field `name` (lower case), if the request has it. */
function field(raw: readonly string[], name: string): string | undefined {
  for (let i = 0; i < raw.length; i += 2) {
    const n = raw[i] as string
    if (n.length === name.length && n.toLowerCase() === name) return raw[i + 1] as string
  }
  return undefined
}
