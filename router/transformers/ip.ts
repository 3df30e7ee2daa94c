/**
 * This host's addresses, for `io.l5d.localhost`. IP literals are read and compared by value
 * with lib/ip.ts (`ipValue`), as linkerd compares `InetAddress`es: `127.1`, `127.0.0.1` and
 * `::ffff:127.0.0.1` are one address, so are `::1` and `0:0:0:0:0:0:0:1`. Host names are
 * never resolved here.
 */
import { networkInterfaces } from 'node:os'
import { ipValue } from '../../lib/ip.js'

/**
 * Every address of this host's network interfaces (loopback included), as `ipValue` gives
 * them. linkerd lists the interfaces that are up; Node lists the interfaces that have an
 * address, which is what matters for "is this endpoint on this host".
 */
export function interfaceAddresses(): string[] {
  const out: string[] = []
  for (const list of Object.values(networkInterfaces())) {
    for (const info of list ?? []) {
      const ip = ipValue(info.address)
      if (ip !== undefined) out.push(ip)
    }
  }
  return out
}
