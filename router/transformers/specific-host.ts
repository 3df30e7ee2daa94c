/**
 * `io.l5d.specificHost`: keeps the endpoints whose IP is `host` (e.g. the docker0 bridge
 * address, for a router in a container delivering to containers on the same host); none left
 * is a `neg` address set. Ids get `/%/io.l5d.specificHost`. `host` must be an IP literal:
 * linkerd resolved a name once at start, which would silently pin whatever DNS said then.
 *
 *   transformers:
 *     - kind: io.l5d.specificHost
 *       host: 172.17.0.1
 */
import { ConfigError } from '../../lib/config/section.js'
import { ipValue } from '../../lib/ip.js'
import { boundTransformer, filterAddr } from './bound-transformer.js'
import type { TransformerPlugin } from './index.js'
import { transformerPrefix } from './prefix.js'

export const specificHostTransformer: TransformerPlugin = {
  kind: 'io.l5d.specificHost',
  parse(s) {
    const host = s.string('host')
    const ip = ipValue(host)
    if (ip === undefined) {
      throw new ConfigError(
        s.where('host'),
        `expected an IP address, got ${JSON.stringify(host)} (host names are not resolved here)`,
      )
    }
    const prefix = transformerPrefix(s, ['io.l5d.specificHost'])
    return function makeSpecificHostTransformer() {
      return boundTransformer(prefix, (addr) => filterAddr(addr, (a) => ipValue(a.host) === ip))
    }
  },
}
