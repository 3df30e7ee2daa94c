import type { AddressInfo, Socket } from 'node:net'
import { Call, type ServerContext } from '../core/call.js'
import { listen, type RouterServer } from '../net/listen.js'
import type { LiteralPolicy } from '../core/override-literals.js'
import type { Router } from '../core/router.js'
import type { ServerStats } from '../metrics/index.js'
import { Downstream } from './downstream.js'
import { H1Server } from './server.js'
import { nullLog, type Log } from '../../lib/log.js'
import type { ServerTlsConfig } from '../../lib/tls/server-config.js'
import { clientNamesRefusal, routerServerTls, watchTlsServer } from './server-tls.js'

export { ListenError, type RouterServer } from '../net/listen.js'

export interface ServerOptions {
  readonly ip: string
  readonly port: number
  readonly clearContext: boolean
  readonly maxConcurrentRequests?: number
  readonly literalOverrides?: LiteralPolicy
  /** Largest request head accepted (linkerd `maxHeadersKB` + `maxInitialLineKB`). */
  readonly maxHeaderBytes: number
  /** The server's timeouts on its clients (see H1ServerOptions; defaults there). */
  readonly headTimeoutMs?: number
  readonly receiveTimeoutMs?: number
  readonly idleTimeoutMs?: number
  /** Serve HTTPS with these files (kept current when they change). */
  readonly tls?: ServerTlsConfig
  /** Where TLS file reloads are reported. */
  readonly log?: Log
  /** The stats of this server, by the address it actually listens on. */
  readonly statsFor: (ip: string, port: number) => ServerStats
}

/**
 * Starts one HTTP/1.1 server whose requests `router` routes: each request becomes a `Call`
 * answered through a `Downstream`. Malformed requests get 400 (431 for an oversized head) from
 * the server and never reach the router.
 */
export async function startServer(router: Router, o: ServerOptions): Promise<RouterServer> {
  // The server's context is complete once it listens (its stats go by its real address).
  const ready: { server?: ServerContext } = {}
  const limits = {
    maxHeaderBytes: o.maxHeaderBytes,
    headTimeoutMs: o.headTimeoutMs,
    receiveTimeoutMs: o.receiveTimeoutMs,
    idleTimeoutMs: o.idleTimeoutMs,
  }
  const log = o.log ?? nullLog
  const tls = await routerServerTls(o.tls, log)
  const refuse = clientNamesRefusal(o.tls, () => ready.server?.stats, log)
  const h1 = new H1Server({ ...limits, tls: tls?.options, refuse }, (req, res) => {
    const call = new Call(req, ready.server as ServerContext, req.httpVersion)
    router.route(call, new Downstream(req, res))
  })
  await listen(h1.server, o.ip, o.port).catch((e: unknown) => {
    tls?.close()
    throw e
  })
  const { address, port } = h1.server.address() as AddressInfo
  const stats = o.statsFor(address, port)
  ready.server = {
    clearContext: o.clearContext,
    ...(o.literalOverrides === undefined ? {} : { literalOverrides: o.literalOverrides }),
    stats,
    maxConcurrentRequests: o.maxConcurrentRequests,
    active: 0,
  }
  h1.server.on('connection', (socket: Socket) => {
    stats.connections++
    socket.once('close', () => stats.connections--)
  })
  if (tls !== undefined) watchTlsServer(h1.server, tls, stats, log)
  // Draining waits for the router's calls in flight (its servers close together).
  const close = async (graceMs?: number): Promise<void> => {
    tls?.close()
    await closeServer(h1, () => router.inFlight, graceMs)
  }
  return { address: { ip: address, port }, close }
}

/**
 * Graceful close: stop accepting, close idle keep-alive connections, let busy ones finish their
 * current response (which says `connection: close`), wait for requests in flight, then close the
 * rest.
 */
export async function closeServer(
  server: H1Server,
  inFlight: () => number,
  graceMs = 10_000,
): Promise<void> {
  const closed = server.closed()
  server.drain()
  const deadline = Date.now() + graceMs
  while ((inFlight() > 0 || server.size > 0) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
  server.destroyAll()
  await closed
}
