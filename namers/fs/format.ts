/**
 * The io.l5d.fs service file format, as linkerd reads it (`L:namer/fs/.../WatchingNamer.scala`,
 * `txtToAddr`): the text is split on `\n`; everything from the first `#` of a line is a comment;
 * each line is trimmed and blank lines are skipped; every other line is `host port` or
 * `host port * weight`, fields separated by runs of whitespace. A file with one bad line is a
 * failed address as a whole (linkerd: `Addr.Failed(MalformedAddress(line))`).
 *
 * Port and weight follow Java's `String.toInt` / `toDouble` for the cases that matter: the port
 * is an optionally signed decimal integer (leading zeros allowed) in 1..65535; the weight is a
 * decimal number with an optional exponent. Deliberately stricter than linkerd: a weight must be
 * finite and not negative (`NaN`, `Infinity`, `-1`, hex floats and `d`/`f` suffixes are
 * malformed), since no balancer can use those.
 *
 * Hosts that are IP literals are read as Java's `InetAddress` reads them and written one way
 * (lib/ip.ts): linkerd's own examples say `127.1 8888`, and an `io.l5d.localhost` transformer
 * must see 127.0.0.1 there. Equal endpoints are listed once after that rewriting.
 */
import type { Addr, Address } from '../../dtabs/name.js'
import { canonicalHost } from '../../lib/ip.js'

/** Address metadata key of a per-endpoint weight (Finagle `WeightedAddress.weightKey`). */
export const WEIGHT_KEY = 'endpoint_addr_weight'

const MAX_PORT = 65535
const PORT = /^[+-]?[0-9]+$/
const WEIGHT = /^[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$/
// Java's `\s`, which linkerd splits on; JavaScript's `\s` also matches Unicode spaces.
const FIELD_SEPARATOR = /[ \t\n\v\f\r]+/

/**
 * The endpoints a service file lists: `bound` (possibly with no addresses) when every line is
 * good, else `failed` with cause `malformed address: <first bad line, comment and blanks
 * stripped>`. Equal endpoints (same address, port and weight; `127.1` and `127.0.0.1` are the
 * same address) are listed once, in first-seen order.
 */
export function parseAddrFile(text: string): Addr {
  const addrs: Address[] = []
  const seen = new Set<string>()
  for (const raw of text.split('\n')) {
    const line = stripComment(raw)
    if (line === '') continue
    const address = parseAddrLine(line)
    if (address === undefined) return { type: 'failed', cause: `malformed address: ${line}` }
    const key = `${address.host} ${address.port} ${String(address.meta?.[WEIGHT_KEY])}`
    if (seen.has(key)) continue
    seen.add(key)
    addrs.push(address)
  }
  return { type: 'bound', addrs }
}

/** One line without its comment, trimmed as Java's `String.trim` does (every char <= U+0020). */
function stripComment(raw: string): string {
  const hash = raw.indexOf('#')
  const line = hash === -1 ? raw : raw.slice(0, hash)
  let start = 0
  let end = line.length
  while (start < end && line.charCodeAt(start) <= 0x20) start++
  while (end > start && line.charCodeAt(end - 1) <= 0x20) end--
  return line.slice(start, end)
}

/**
 * One trimmed, comment-free line as an address, or undefined if it is malformed. An IP literal
 * is written canonically (`127.1` is `127.0.0.1`, as linkerd's `InetSocketAddress` reads it),
 * so that transformers and clients see one spelling per address; a host name is kept exactly
 * as written (resolving it is not the namer's job).
 */
function parseAddrLine(line: string): Address | undefined {
  const fields = line.split(FIELD_SEPARATOR)
  const [written, portText, star, weightText] = fields
  if (written === undefined || written === '' || portText === undefined) return undefined
  const host = canonicalHost(written)
  const port = parsePort(portText)
  if (port === undefined) return undefined
  if (fields.length === 2) return { host, port }
  if (fields.length !== 4 || star !== '*' || weightText === undefined) return undefined
  const weight = parseWeight(weightText)
  if (weight === undefined) return undefined
  return { host, port, meta: { [WEIGHT_KEY]: weight } }
}

function parsePort(text: string): number | undefined {
  if (!PORT.test(text)) return undefined
  const port = Number(text)
  return port >= 1 && port <= MAX_PORT ? port : undefined
}

function parseWeight(text: string): number | undefined {
  if (!WEIGHT.test(text)) return undefined
  // `+ 0` turns `-0` into `0`.
  const weight = Number(text) + 0
  return Number.isFinite(weight) && weight >= 0 ? weight : undefined
}
