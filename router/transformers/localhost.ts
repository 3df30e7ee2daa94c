/**
 * `io.l5d.localhost`: keeps the endpoints whose IP is one of this host's interface addresses
 * (read once, when the router starts, as linkerd does); none left is a `neg` address set. The
 * per-host pattern's incoming side: deliver only to instances on this host. Ids get
 * `/%/io.l5d.localhost`. IPs are compared by value (`127.1` is 127.0.0.1, lib/ip.ts); endpoints
 * given as host names never match (nothing is resolved).
 *
 *   transformers:
 *     - kind: io.l5d.localhost
 */
import { ipValue } from '../../lib/ip.js'
import { boundTransformer, filterAddr } from './bound-transformer.js'
import type { TransformerPlugin } from './index.js'
import { interfaceAddresses } from './ip.js'
import { transformerPrefix } from './prefix.js'

export const localhostTransformer: TransformerPlugin = {
  kind: 'io.l5d.localhost',
  parse(s) {
    const prefix = transformerPrefix(s, ['io.l5d.localhost'])
    return function makeLocalhostTransformer(deps) {
      const given = deps.interfaceAddresses ?? interfaceAddresses()
      const local = new Set(given.map((ip) => ipValue(ip) ?? ip))
      return boundTransformer(prefix, (addr) =>
        filterAddr(addr, (a) => local.has(ipValue(a.host) ?? '')),
      )
    }
  },
}
