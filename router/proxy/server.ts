import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { CodedError } from '../../lib/errors.js'
import { RouterError } from '../errors.js'
import type { ServerStats } from '../metrics.js'
import { viaEntry } from './headers.js'
import { respondError } from './respond.js'
import type { Router } from './router.js'

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
 * Node's 400 and never reach the router.
 */
export async function startServer(router: Router, o: ServerOptions): Promise<RouterServer> {
  let active = 0
  const server = createServer({ maxHeaderSize: o.maxHeaderBytes, keepAliveTimeout: 65_000 })
  server.on('clientError', (err, socket) => {
    if (!socket.writable) socket.destroy(err)
    else socket.end(rejection((err as { code?: string }).code))
  })
  await listen(server, o.ip, o.port)
  // Handlers are attached once listening, when the server's real address (its stats key) is known.
  const { address, port } = server.address() as AddressInfo
  const setup = { clearContext: o.clearContext, stats: o.statsFor(address, port) }
  server.on('connection', (socket) => {
    setup.stats.connections++
    socket.once('close', () => setup.stats.connections--)
  })
  const limit = o.maxConcurrentRequests
  if (limit === undefined) {
    server.on('request', (req, res) => router.handle(req, res, setup))
  } else {
    // Counting requests per server costs a listener per request: only when a limit asks for it.
    server.on('request', (req, res) => {
      if (active >= limit) {
        respondError(res, overloaded(limit), viaEntry(req.httpVersion), o.clearContext)
        return
      }
      active++
      res.once('close', () => active--)
      router.handle(req, res, setup)
    })
  }
  // Draining waits for the router's requests in flight (its servers close together).
  const close = (graceMs?: number): Promise<void> =>
    closeServer(server, () => router.inFlight, graceMs)
  return { address: { ip: address, port }, close }
}

/** The raw response to a request Node could not parse: 431 for an oversized head, else 400. */
function rejection(code: string | undefined): string {
  const status =
    code === 'HPE_HEADER_OVERFLOW' ? '431 Request Header Fields Too Large' : '400 Bad Request'
  return `HTTP/1.1 ${status}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`
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
 * Graceful close: stop accepting, close idle keep-alive connections, wait for requests in flight
 * to finish (closing each connection as it goes idle), then close the rest.
 */
export async function closeServer(
  server: Server,
  inFlight: () => number,
  graceMs = 10_000,
): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()))
  server.closeIdleConnections()
  const deadline = Date.now() + graceMs
  while (inFlight() > 0 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 20))
    server.closeIdleConnections()
  }
  server.closeAllConnections()
  await closed
}
