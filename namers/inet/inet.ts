/**
 * Host and port handling for the `/$/inet` family: Java-compatible integer and IP-literal
 * parsing, and the default host resolvers (an IP literal is constant; a name is looked up in
 * DNS, re-polled for `inet`, once for `fixedinet`).
 */
import { SocketAddress } from 'node:net'
import { constant, type Var } from '../../dtabs/activity.js'
import type { Addr } from '../../dtabs/name.js'
import { fixedDnsResolver, watchDns, type DnsOptions, type FixedDnsOptions } from './dns.js'

/**
 * Resolves `host` (UTF-8 text: a name or an IP literal) and `port` (0..65535) to a live
 * address set. `Namer.global` only calls it after checking the port range.
 */
export type HostResolver = (host: string, port: number) => Var<Addr>

/** `InetAddress.getLoopbackAddress()` with default JVM settings; what an empty host means. */
export const LOOPBACK = '127.0.0.1'

const INT_MAX = 2147483647
const ND = /\p{Nd}/u

/**
 * Java's `Integer.parseInt(text)`: an optional `+` or `-`, then one or more decimal digits
 * (any Unicode `Nd` digit of the BMP, as `Character.digit` accepts), within the int range.
 * Anything else is undefined.
 */
export function parseJavaInt(text: string): number | undefined {
  const sign = text.charCodeAt(0)
  const negative = sign === 0x2d
  let i = negative || sign === 0x2b ? 1 : 0
  if (i >= text.length) return undefined
  const limit = negative ? INT_MAX + 1 : INT_MAX
  let n = 0
  for (; i < text.length; i++) {
    const d = decimalDigit(text.charCodeAt(i))
    if (d < 0) return undefined
    n = n * 10 + d
    if (n > limit) return undefined
  }
  return negative ? -n | 0 : n
}

function decimalDigit(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30
  if (c < 0x80 || !ND.test(String.fromCharCode(c))) return -1
  // Every BMP Nd block is a run of exactly ten digits, zero first.
  let zero = c
  while (c - zero < 9 && ND.test(String.fromCharCode(zero - 1))) zero--
  return c - zero
}

/**
 * The IP address a host names literally, as `InetAddress.getByName` reads it, or undefined
 * for a host name. IPv4 takes 1 to 4 decimal parts (the last one fills the remaining bytes,
 * so `127.1` is `127.0.0.1`), at most 15 characters. IPv6 may be bracketed and have a `%zone`;
 * it is printed compressed and lower-case (`0:0::1` is `::1`), and an IPv4-mapped address
 * becomes IPv4, as Java makes it an `Inet4Address`.
 */
export function parseIpLiteral(host: string): string | undefined {
  if (host.startsWith('[')) {
    return host.endsWith(']') && host.length > 2 ? parseIpv6(host.slice(1, -1)) : undefined
  }
  return parseIpv4(host) ?? (host.includes(':') ? parseIpv6(host) : undefined)
}

function parseIpv4(s: string): string | undefined {
  if (s.length === 0 || s.length > 15) return undefined
  const bytes: number[] = []
  let value = 0
  let fresh = true
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (c === 0x2e) {
      if (fresh || value > 255 || bytes.length === 3) return undefined
      bytes.push(value)
      value = 0
      fresh = true
    } else if (c >= 0x30 && c <= 0x39) {
      value = value * 10 + (c - 0x30)
      fresh = false
    } else return undefined
  }
  const rest = 4 - bytes.length
  if (fresh || value >= 2 ** (rest * 8)) return undefined
  for (let k = rest - 1; k >= 0; k--) bytes.push(Math.floor(value / 2 ** (k * 8)) % 256)
  return bytes.join('.')
}

function parseIpv6(s: string): string | undefined {
  const pct = s.indexOf('%')
  const zone = pct < 0 ? '' : s.slice(pct)
  if (zone === '%') return undefined
  let text: string
  try {
    text = new SocketAddress({ address: pct < 0 ? s : s.slice(0, pct), family: 'ipv6' }).address
  } catch {
    return undefined
  }
  const mapped = text.startsWith('::ffff:') ? parseIpv4(text.slice(7)) : undefined
  return mapped ?? text + zone
}

/** The address set of `host:port`; a port outside 0..65535 fails as `InetSocketAddress` does. */
export function inetAddr(resolve: HostResolver, host: string, port: number): Var<Addr> {
  if (port < 0 || port > 65535)
    return constant({ type: 'failed', cause: `port out of range:${port}` })
  return resolve(host, port)
}

/** A constant set of the one address, or undefined if `host` is a name to look up. */
function literalAddr(host: string, port: number): Var<Addr> | undefined {
  // Finagle's DnsResolver answers "" and "localhost" with the loopback address (RFC 6761).
  const ip = host === '' || host === 'localhost' ? LOOPBACK : parseIpLiteral(host)
  if (ip === undefined) return undefined
  return constant({ type: 'bound', addrs: [{ host: ip, port }] })
}

/** Most address Vars one resolver remembers; names may come from request headers. */
const MEMO_SIZE = 10_000

/**
 * The `inet` resolver: IP literals (and `localhost`) are constant; a name is a Var that,
 * while observed, looks the name up in DNS and re-polls (every 5 s by default).
 */
export function inetResolver(options: DnsOptions = {}): HostResolver {
  const memo = new Map<string, Var<Addr>>()
  return function resolveInet(host, port) {
    // The same host and port give the same Var, so rebinding yields an equal bound tree
    // (bindings compare address sets by identity) and DNS watchers are shared.
    const key = `${port} ${host}`
    let addr = memo.get(key)
    if (addr === undefined) {
      addr = literalAddr(host, port) ?? watchDns(host, port, options)
      if (memo.size >= MEMO_SIZE) memo.delete(memo.keys().next().value as string)
      memo.set(key, addr)
    }
    return addr
  }
}

/**
 * The `fixedinet` resolver: like `inetResolver`, but a name is looked up once, when first
 * observed, and successful answers are cached for the life of the resolver.
 */
export function fixedInetResolver(options: FixedDnsOptions = {}): HostResolver {
  const resolveOnce = fixedDnsResolver(options)
  return function resolveFixedInet(host, port) {
    return literalAddr(host, port) ?? resolveOnce(host, port)
  }
}
