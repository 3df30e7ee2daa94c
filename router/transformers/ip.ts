/**
 * IP literals compared the way linkerd compares `InetAddress`es: by value, not by spelling
 * (`::1` and `0:0:0:0:0:0:0:1` are the same address; so are `::ffff:127.0.0.1` and
 * `127.0.0.1`). Host names are never resolved here.
 */
import { isIP, isIPv4 } from 'node:net'
import { networkInterfaces } from 'node:os'

const MAPPED_V4 = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/

/**
 * One spelling per address: IPv4 dotted quads as they are, IPv6 compressed and lower-cased
 * (WHATWG URL rules), IPv4-mapped IPv6 as IPv4; brackets and a zone (`%eth0`) are dropped.
 * Undefined for anything that is not an IP literal (a host name).
 */
export function canonicalIp(text: string): string | undefined {
  const bare = text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text
  const ip = bare.includes('%') ? bare.slice(0, bare.indexOf('%')) : bare
  if (isIPv4(ip)) return ip
  if (isIP(ip) !== 6) return undefined
  const v6 = new URL(`http://[${ip}]/`).hostname.slice(1, -1)
  const mapped = MAPPED_V4.exec(v6)
  if (mapped === null) return v6
  const hi = parseInt(mapped[1] as string, 16)
  const lo = parseInt(mapped[2] as string, 16)
  return `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`
}

/**
 * Every address of this host's network interfaces (loopback included), canonical. linkerd
 * lists the interfaces that are up; Node lists the interfaces that have an address, which is
 * what matters for "is this endpoint on this host".
 */
export function interfaceAddresses(): string[] {
  const out: string[] = []
  for (const list of Object.values(networkInterfaces())) {
    for (const info of list ?? []) {
      const ip = canonicalIp(info.address)
      if (ip !== undefined) out.push(ip)
    }
  }
  return out
}
