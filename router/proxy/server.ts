import type { AddressInfo, Server, Socket } from 'node:net'
import { CodedError } from '../../lib/errors.js'
import { RouterError } from '../errors.js'
import type { ServerStats } from '../metrics/index.js'
import { H1Server } from './h1/server.js'
import { viaEntry } from './headers.js'
import { respondError } from './respond.js'
import type { Router, ServerSetup } from './router.js'

export interface ServerOptions {
  readonly ip: string
  readonly port: number
  readonly clearContext: boolean
  readonly maxConcurrentRequests?: number
  /** Largest request head accepted (linkerd `maxHeadersKB` + `maxInitialLineKB`). */
  readonly maxHeaderBytes: number
  /** The stats of this server, by the address it actually listens on. */
  readonly statsFor: (ip: string, port: number) => ServerStats
}

/** A listening HTTP/1.1 server of a router. `close()` drains it (see `closeServer`). */
export interface RouterServer {
  readonly address: { readonly ip: string; readonly port: number }
  close(graceMs?: number): Promise<void>
}

/**
 * Starts one server: every request goes to `router`; beyond `maxConcurrentRequests` in flight a
 * request is refused at once with 503 (linkerd's semaphore has no queue). Malformed requests get
 * 400 (431 for an oversized head) from the server and never reach the router.
 */
export async function startServer(router: Router, o: ServerOptions): Promise<RouterServer> {
  let active = 0
  const limit = o.maxConcurrentRequests
  const release = (): void => void active--
  let setup: ServerSetup | undefined = undefined
  const h1 = new H1Server({ maxHeaderBytes: o.maxHeaderBytes }, (req, res) => {
    const s = setup as ServerSetup
    if (limit === undefined) return router.handle(req, res, s)
    if (active >= limit) {
      respondError(res, overloaded(limit), viaEntry(req.httpVersion), o.clearContext)
      return
    }
    active++
    router.handle(req, res, s, release)
  })
  await listen(h1.server, o.ip, o.port)
  // Stats are keyed by the server's real address, known once listening.
  const { address, port } = h1.server.address() as AddressInfo
  setup = { clearContext: o.clearContext, stats: o.statsFor(address, port) }
  const stats = setup.stats
  h1.server.on('connection', (socket: Socket) => {
    stats.connections++
    socket.once('close', () => stats.connections--)
  })
  // Draining waits for the router's requests in flight (its servers close together).
  const close = (graceMs?: number): Promise<void> => closeServer(h1, () => router.inFlight, graceMs)
  return { address: { ip: address, port }, close }
}

function overloaded(limit: number): RouterError {
  return new RouterError(
    'ERR_OVERLOADED',
    `Too many concurrent requests (limit ${limit}): request rejected`,
  )
}

/** The server could not listen (address in use, not permitted, not an address of this host). */
export class ListenError extends CodedError {
  readonly code = 'ERR_LISTEN'
}

function listen(server: Server, ip: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) => {
      const why = e.code === 'EADDRINUSE' ? 'address already in use' : e.message
      reject(new ListenError(`cannot listen on ${ip}:${port}: ${why}`, { cause: e }))
    })
    server.listen(port, ip, () => {
      server.removeAllListeners('error')
      // Later server errors (e.g. EMFILE on accept) must not crash the router: report them.
      server.on('error', (e) => process.emitWarning(e))
      resolve()
    })
  })
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
