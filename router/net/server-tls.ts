/**
 * The TLS side of a router server, whatever its protocol: its files (kept current,
 * lib/tls/server.ts) and its stats. A failed handshake never reaches the HTTP server: it is
 * counted under the server's scope, `tls/handshake_failures` and
 * `tls/handshake_failures/<reason>` (Node's error code, e.g. `ERR_SSL_TLSV1_ALERT_UNKNOWN_CA`,
 * `ERR_SSL_PEER_DID_NOT_RETURN_A_CERTIFICATE`). A connection over the bound on handshakes in
 * progress is closed before its handshake, and counted under `tls/handshakes_refused`.
 */
import type { Server } from 'node:net'
import type { Socket } from 'node:net'
import type { Server as TlsServer, TLSSocket } from 'node:tls'
import type { Log } from '../../lib/log.js'
import { openServerTls, type ServerTls } from '../../lib/tls/server.js'
import type { ServerTlsConfig } from '../../lib/tls/server-config.js'
import type { ServerStats } from '../metrics/index.js'
import { clientNamesCheck } from './client-names.js'

export { type ServerTls }

/** Opens the TLS files of a server (undefined: a plain server). */
export async function routerServerTls(
  config: ServerTlsConfig | undefined,
  log: Log,
): Promise<ServerTls | undefined> {
  return config === undefined ? undefined : openServerTls(config, log)
}

/**
 * The check of `tls.clientNames` (undefined without them; see client-names.ts): each refused
 * connection is counted as the server's `tls/client_names_refused`, and logged at debug (a
 * client's mistake).
 */
export function clientNamesRefusal(
  config: ServerTlsConfig | undefined,
  stats: () => ServerStats | undefined,
  log: Log,
): ((socket: Socket) => string | undefined) | undefined {
  return clientNamesCheck(config?.clientNames, (identity) => {
    const s = stats()
    if (s !== undefined) s.counter('tls/client_names_refused').value++
    log.debug('TLS client refused: not in clientNames', { identity: identity.slice(0, 8) })
  })
}

/**
 * Follows rotations of `tls`'s files, counts the handshakes `server` fails, the connections it
 * refuses over `tls.maxConcurrentHandshakes` (`tls/handshakes_refused`) and the handshakes in
 * progress (`tls/handshakes_in_progress`).
 */
export function watchTlsServer(server: Server, tls: ServerTls, stats: ServerStats, log: Log): void {
  const tlsServer = server as TlsServer
  const refused = stats.counter('tls/handshakes_refused')
  const failures = stats.counter('tls/handshake_failures')
  const failed = (err: NodeJS.ErrnoException): void => {
    const reason = (err.code ?? 'unknown').replace(/[^A-Za-z0-9_]/g, '_')
    failures.value++
    stats.counter(['tls', 'handshake_failures', reason]).value++
    // A client's mistake, possibly repeated by the thousand: debug only.
    log.debug('TLS handshake failed', { reason })
  }
  const cap = tls.attach(tlsServer, { refused: () => refused.value++, failed })
  stats.gauge('tls/handshakes_in_progress', () => cap.inProgress)
  // In TLS 1.3 the server is done before the client has checked its certificate: a client that
  // refuses it sends its alert on what is, for the server, an open connection.
  tlsServer.on('secureConnection', (socket: TLSSocket) => {
    socket.once('error', (err: NodeJS.ErrnoException) => {
      if (ALERT.test(err.code ?? '')) failed(err)
    })
  })
}

/** A TLS alert from the peer (`ERR_SSL_TLSV1_ALERT_UNKNOWN_CA`, `…_SSLV3_ALERT_BAD_CERTIFICATE`). */
const ALERT = /^ERR_SSL_(TLSV1|SSLV3)_ALERT_/
