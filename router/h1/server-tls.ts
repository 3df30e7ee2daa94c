/**
 * The TLS side of the HTTP/1.1 server: router/net/server-tls.ts (files, stats, rotations), and
 * `tls.clientNames` as a listener that answers a refused connection's requests.
 */
import type { Socket } from 'node:net'
import type { Log } from '../../lib/log.js'
import type { ServerTlsConfig } from '../../lib/tls/server-config.js'
import { clientNamesRefusal as clientNamesCheck } from '../net/server-tls.js'
import type { ServerStats } from '../metrics/index.js'
import { refusing } from './client-names.js'
import type { RequestListener } from './server.js'

export { routerServerTls, watchTlsServer, type ServerTls } from '../net/server-tls.js'

/**
 * The gate of `tls.clientNames` (undefined without them): each refused connection is counted
 * as the server's `tls/client_names_refused`, and logged at debug (a client's mistake).
 */
export function clientNamesRefusal(
  config: ServerTlsConfig | undefined,
  stats: () => ServerStats | undefined,
  log: Log,
): ((socket: Socket) => RequestListener | undefined) | undefined {
  return refusing(clientNamesCheck(config, stats, log))
}
