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
  'l5d-dst-service',
  'l5d-dst-client',
  'l5d-dst-residual',
  'l5d-reqid',
  'l5d-sample',
  'via',
  'host',
])

/** True for a header the router must not forward (`connection` tokens are checked too). */
function dropped(lower: string, connectionTokens: ReadonlySet<string> | undefined): boolean {
  return HOP_BY_HOP.has(lower) || (connectionTokens !== undefined && connectionTokens.has(lower))
}

function connectionTokens(raw: readonly string[]): Set<string> | undefined {
  let tokens: Set<string> | undefined
  for (let i = 0; i < raw.length; i += 2) {
    if ((raw[i] as string).toLowerCase() !== 'connection') continue
    for (const t of (raw[i + 1] as string).split(',')) {
      const token = t.trim().toLowerCase()
      if (token !== '' && token !== 'close' && token !== 'keep-alive')
        (tokens ??= new Set()).add(token)
    }
  }
  return tokens
}

/**
 * The request headers to send upstream, as a flat `[name, value, …]` list: the inbound raw
 * headers minus hop-by-hop and router-owned ones (minus every `l5d-*` one when `clearContext`),
 * with `Host` kept as received. `via` is the inbound Via value, if any.
 */
export function upstreamRequestHeaders(
  raw: readonly string[],
  clearContext: boolean,
): { headers: string[]; host: string | undefined; via: string | undefined } {
  const tokens = connectionTokens(raw)
  const headers: string[] = []
  let host: string | undefined
  let via: string | undefined
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i] as string
    const value = raw[i + 1] as string
    const lower = name.toLowerCase()
    if (lower === 'host') host ??= value
    else if (lower === 'via') via = via === undefined ? value : `${via}, ${value}`
    if (dropped(lower, tokens) || ROUTER_OWNED.has(lower)) continue
    if (clearContext && lower.startsWith('l5d-')) continue
    headers.push(name, value)
  }
  return { headers, host, via }
}

/**
 * The response headers to send downstream, from undici's raw header buffers, as a flat list:
 * hop-by-hop headers dropped (Node frames the body itself), `Via` appended.
 */
export function downstreamResponseHeaders(
  raw: readonly Buffer[],
  viaEntry: string,
  clearContext: boolean,
): string[] {
  const out: string[] = []
  let via: string | undefined
  for (let i = 0; i < raw.length; i += 2) {
    const name = (raw[i] as Buffer).toString('latin1')
    const lower = name.toLowerCase()
    const value = (raw[i + 1] as Buffer).toString('latin1')
    if (lower === 'via') {
      via = via === undefined ? value : `${via}, ${value}`
      continue
    }
    if (HOP_BY_HOP.has(lower) || lower === 'connection') continue
    if (clearContext && lower.startsWith('l5d-')) continue
    out.push(name, value)
  }
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
