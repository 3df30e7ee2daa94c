/**
 * IP address literals, read as linkerd reads them (Java's `InetAddress.getByName`) and written
 * one way per address, so that every part of the project compares addresses as text safely.
 * The one place that decides what an IP literal is: the io.l5d.fs file format, `/$/inet`,
 * `ip:` config keys and the transformers all go through here. Names are never resolved here.
 */
import { SocketAddress } from 'node:net'

/** Java's `IPAddressUtil` refuses longer IPv4 text before reading it. */
const MAX_IPV4_TEXT = 15

/**
 * The canonical spelling of the IP address `text` names literally, or undefined if `text` is
 * not an IP literal (a host name, or nothing).
 *
 * IPv4 is 1 to 4 dot-separated decimal parts, the last filling the remaining bytes, as Java
 * reads it: `127.1` is 127.0.0.1, `10.1.2` is 10.1.0.2, `2130706433` is 127.0.0.1. Parts are
 * always decimal (`010` is 10, never octal; `0x7f` is not a literal), at most 15 characters in
 * all, ASCII digits only. The canonical form is the dotted quad.
 *
 * IPv6 (anything with a colon, optionally in brackets, optionally with a `%zone`) is read as
 * Node reads it and written compressed and lower-case, RFC 5952 (`0:0:0:0:0:0:0:1` is `::1`);
 * the zone is kept as written. An IPv4-mapped address (`::ffff:1.2.3.4`) is the IPv4 address,
 * as Java makes it an `Inet4Address`. A bracketed IPv4 address (`[127.0.0.1]`) is refused, as
 * Java refuses it.
 */
export function parseIpLiteral(text: string): string | undefined {
  if (text.startsWith('[')) {
    return text.endsWith(']') && text.length > 2 ? parseIpv6(text.slice(1, -1)) : undefined
  }
  return parseIpv4(text) ?? (text.includes(':') ? parseIpv6(text) : undefined)
}

/** `host` in canonical spelling if it is an IP literal, else exactly as written (a name). */
export function canonicalHost(host: string): string {
  return parseIpLiteral(host) ?? host
}

/**
 * The address `text` names, for comparing addresses by value: the canonical spelling without
 * an IPv6 zone (Java's `Inet6Address.equals` ignores the scope). Undefined for a host name.
 */
export function ipValue(text: string): string | undefined {
  const ip = parseIpLiteral(text)
  if (ip === undefined) return undefined
  const pct = ip.indexOf('%')
  return pct < 0 ? ip : ip.slice(0, pct)
}

function parseIpv4(s: string): string | undefined {
  if (s.length === 0 || s.length > MAX_IPV4_TEXT) return undefined
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

/** 127.0.0.0/8 and ::1 (an IPv4-mapped form included); unknown is not loopback. */
export function isLoopback(address: string | undefined): boolean {
  const ip = address === undefined ? undefined : ipValue(address)
  return ip !== undefined && (ip === '::1' || ip.startsWith('127.'))
}
