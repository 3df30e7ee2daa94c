/**
 * `io.l5d.port`: every endpoint keeps its IP and gets `port`, the port of the incoming router
 * on that host (the per-host pattern's outgoing side). Ids get `/%/io.l5d.port/<port>`.
 *
 *   transformers:
 *     - kind: io.l5d.port
 *       port: 4141
 */
import type { Addr, Address } from '../../dtabs/index.js'
import { ipValue } from '../../lib/ip.js'
import { boundTransformer, withAddrs, type BoundAddr } from './bound-transformer.js'
import type { TransformerPlugin } from './index.js'
import { transformerPrefix } from './prefix.js'

export const portTransformer: TransformerPlugin = {
  kind: 'io.l5d.port',
  parse(s) {
    const port = s.number('port', undefined, { min: 1, max: 65535 })
    const prefix = transformerPrefix(s, ['io.l5d.port', String(port)])
    return function makePortTransformer() {
      return boundTransformer(prefix, (addr) => withPort(addr, port))
    }
  },
}

/**
 * The addresses with `port`. Endpoints that become equal (two instances on one host) are one
 * endpoint, the first one's metadata kept: linkerd's address sets are sets, and the remote
 * host's incoming router is one destination however many instances it serves. Hosts are
 * compared by value (`127.1` and `127.0.0.1` are one host, lib/ip.ts).
 */
export function withPort(addr: BoundAddr, port: number): Addr {
  const seen = new Set<string>()
  const out: Address[] = []
  for (const a of addr.addrs) {
    const host = ipValue(a.host) ?? a.host
    if (seen.has(host)) continue
    seen.add(host)
    out.push(a.meta === undefined ? { host: a.host, port } : { host: a.host, port, meta: a.meta })
  }
  return withAddrs(addr, out)
}
