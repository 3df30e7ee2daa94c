/**
 * Header rules of the HTTP data path, as linkerd applies them: hop-by-hop headers are not
 * forwarded (RFC 7230 6.1), linkerd's context headers are consumed and re-emitted, `Via` is
 * appended, and router errors carry `l5d-err`.
 */

/** Hop-by-hop headers (lower case) never forwarded in either direction. */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
])

/** Request headers the router consumes or writes itself; an inbound copy is dropped. */
const ROUTER_OWNED = new Set([
  'l5d-dtab',
  'l5d-ctx-dtab',
  'l5d-ctx-deadline',
  'l5d-dst-service',
  'l5d-dst-client',
  'l5d-dst-residual',
  'l5d-reqid',
  'l5d-sample',
  'via',
  'host',
])

/** What the router reads of a request's headers, in one pass over the raw list. */
export interface InboundHead {
  /** Headers to send upstream, flat `[name, value, …]`: hop-by-hop and router-owned ones removed. */
  readonly headers: string[]
  readonly host: string | undefined
  /** The inbound `Via` entries, joined. */
  readonly via: string | undefined
  /** `l5d-ctx-dtab` and `l5d-dtab` values, in order (none with `clearContext`). */
  readonly ctxDtab: string[] | undefined
  readonly userDtab: string[] | undefined
  /** `l5d-ctx-deadline` values (none with `clearContext`). */
  readonly deadline: string[] | undefined
  /** The request has a body (`content-length` > 0 or `transfer-encoding`). */
  readonly hasBody: boolean
  /** The body's `content-length`, or -1 when it has none (a chunked body). */
  readonly bodyLength: number
}

// First letters (lower-cased) of every header name the router treats specially; a name starting
// with anything else is forwarded without being lower-cased. `:` starts HTTP/2's pseudo-headers.
const SPECIAL_FIRST = new Set([...'ckptuhvl:'].map((c) => c.charCodeAt(0) | 0x20))
const COLON = 0x3a

/**
 * Reads the request's raw headers once: what to forward upstream (the inbound list minus
 * hop-by-hop headers, headers named in `Connection`, and those the router writes itself; minus
 * every `l5d-*` header with `clearContext`), plus `Host`, `Via`, the dtab overrides and whether
 * a body follows. HTTP/2 pseudo-headers (`:method`, `:path`, …) are never forwarded as headers;
 * `:authority` is the request's host (RFC 9113 8.3.1: it takes precedence over `host`).
 */
export function readInbound(raw: readonly string[], clearContext: boolean): InboundHead {
  const headers: string[] = []
  let host: string | undefined
  let via: string | undefined
  let ctxDtab: string[] | undefined
  let userDtab: string[] | undefined
  let deadline: string[] | undefined
  let hasBody = false
  let bodyLength = 0
  let connection: string | undefined
  let authority: string | undefined
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i] as string
    const value = raw[i + 1] as string
    if (!SPECIAL_FIRST.has(name.charCodeAt(0) | 0x20)) {
      headers.push(name, value)
      continue
    }
    if (name.charCodeAt(0) === COLON) {
      if (name === ':authority') authority = value
      continue
    }
    const lower = name.toLowerCase()
    if (lower === 'host') host ??= value
    else if (lower === 'via') via = via === undefined ? value : `${via}, ${value}`
    else if (lower === 'content-length') {
      hasBody ||= value !== '0'
      if (bodyLength !== -1) bodyLength = Number(value)
    } else if (lower === 'transfer-encoding') {
      hasBody = true
      bodyLength = -1
    } else if (lower === 'connection')
      connection = connection === undefined ? value : `${connection},${value}`
    else if (lower === 'l5d-dtab' && !clearContext) (userDtab ??= []).push(value)
    else if (lower === 'l5d-ctx-dtab' && !clearContext) (ctxDtab ??= []).push(value)
    else if (lower === 'l5d-ctx-deadline' && !clearContext) (deadline ??= []).push(value)
    if (HOP_BY_HOP.has(lower) || ROUTER_OWNED.has(lower)) continue
    if (clearContext && lower.startsWith('l5d-')) continue
    headers.push(name, value)
  }
  const tokens = connection === undefined ? undefined : connectionTokens(connection)
  const forwarded = tokens === undefined ? headers : withoutNamed(headers, tokens)
  if (authority !== undefined) host = authority
  return { headers: forwarded, host, via, ctxDtab, userDtab, deadline, hasBody, bodyLength }
}

/** Header names listed in `Connection` (other than close/keep-alive): hop-by-hop too. */
function connectionTokens(value: string): Set<string> | undefined {
  let tokens: Set<string> | undefined
  for (const t of value.split(',')) {
    const token = t.trim().toLowerCase()
    if (token !== '' && token !== 'close' && token !== 'keep-alive')
      (tokens ??= new Set()).add(token)
  }
  return tokens
}

function withoutNamed(headers: readonly string[], names: ReadonlySet<string>): string[] {
  const out: string[] = []
  for (let i = 0; i < headers.length; i += 2) {
    if (!names.has((headers[i] as string).toLowerCase()))
      out.push(headers[i] as string, headers[i + 1] as string)
  }
  return out
}

/**
 * The response headers to send downstream, from the upstream's header fields, as a flat list:
 * hop-by-hop headers dropped (the standard ones and those the upstream's `Connection` names;
 * the router frames the body itself), `Via` appended.
 */
export function responseHeaders(
  raw: readonly string[],
  viaEntry: string,
  clearContext: boolean,
): string[] {
  let out: string[] = []
  let via: string | undefined
  let connection: string | undefined
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i] as string
    const lower = name.toLowerCase()
    const value = raw[i + 1] as string
    if (lower === 'via') {
      via = via === undefined ? value : `${via}, ${value}`
      continue
    }
    if (lower === 'connection')
      connection = connection === undefined ? value : `${connection},${value}`
    if (HOP_BY_HOP.has(lower)) continue
    if (clearContext && lower.startsWith('l5d-')) continue
    out.push(name, value)
  }
  // Only a response with a `Connection` header pays for a second pass.
  const tokens = connection === undefined ? undefined : connectionTokens(connection)
  if (tokens !== undefined) out = withoutNamed(out, tokens)
  out.push('via', via === undefined ? viaEntry : `${via}, ${viaEntry}`)
  return out
}

/** `1.1 linkerd`: the Via entry for a request of this HTTP version. */
export function viaEntry(httpVersion: string): string {
  return `${httpVersion} linkerd`
}

/** Number of entries in a Via header (comma-separated), for loop detection. */
export function viaDepth(via: string | undefined): number {
  if (via === undefined || via === '') return 0
  let n = 1
  for (let i = 0; i < via.length; i++) if (via.charCodeAt(i) === 44) n++
  return n
}

/**
 * linkerd's `l5d-err` value: the message form-encoded as ISO-8859-1 (`+` for space), so it
 * fits a header whatever it contains; truncated to `maxBytes`.
 */
export function encodeErrHeader(message: string, maxBytes = 8 * 1024): string {
  let out = ''
  for (const byte of Buffer.from(message, 'latin1')) {
    if (out.length >= maxBytes) break
    out += formChar(byte)
  }
  return out
}

function formChar(b: number): string {
  const c = String.fromCharCode(b)
  if (/[A-Za-z0-9.\-*_]/.test(c)) return c
  if (b === 0x20) return '+'
  return '%' + b.toString(16).toUpperCase().padStart(2, '0')
}
