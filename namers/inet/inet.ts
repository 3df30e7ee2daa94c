/**
 * Host and port handling for the `/$/inet` family: Java-compatible integer parsing and the
 * default host resolvers (an IP literal, read by lib/ip.ts, is constant; a name is looked up in
 * DNS, re-polled for `inet`, once for `fixedinet`).
 */
import { constant, type Var } from '../../dtabs/activity.js'
import { parseIpLiteral } from '../../lib/ip.js'
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
