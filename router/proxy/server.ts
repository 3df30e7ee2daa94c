import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { RouterError } from '../errors.js'
import { respondError } from './respond.js'
import type { Router } from './router.js'

export interface ServerOptions {
  readonly ip: string
  readonly port: number
  readonly clearContext: boolean
  readonly maxConcurrentRequests?: number
  /** Largest request head accepted (linkerd `maxHeadersKB` + `maxInitialLineKB`). */
  readonly maxHeaderBytes: number
}

/** A listening HTTP/1.1 server of a router. `close()` drains it (see `closeServer`). */
export interface RouterServer {
  readonly address: { readonly ip: string; readonly port: number }
  close(): Promise<void>
}

/**
 * Starts one server: every request goes to `router`; beyond `maxConcurrentRequests` in flight a
 * request is refused at once with 503 (linkerd's semaphore has no queue). Malformed requests get
 * Node's 400 and never reach the router.
 */
export async function startServer(router: Router, o: ServerOptions): Promise<RouterServer> {
  let active = 0
  const setup = { clearContext: o.clearContext }
  const server = createServer(
    { maxHeaderSize: o.maxHeaderBytes, keepAliveTimeout: 65_000 },
    (req, res) => {
      if (o.maxConcurrentRequests !== undefined && active >= o.maxConcurrentRequests) {
        const err = new RouterError(
          'ERR_OVERLOADED',
          `Too many concurrent requests (limit ${o.maxConcurrentRequests}): request rejected`,
        )
        respondError(res, err, `${req.httpVersion} linkerd`, o.clearContext)
        return
      }
      active++
      res.once('close', () => active--)
      router.handle(req, res, setup)
    },
  )
  server.on('clientError', (err, socket) => {
    if (socket.writable)
      socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\ncontent-length: 0\r\n\r\n')
    else socket.destroy(err)
  })
  await listen(server, o.ip, o.port)
  const { address, port } = server.address() as AddressInfo
  return { address: { ip: address, port }, close: () => closeServer(server, () => active) }
}

function listen(server: Server, ip: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, ip, () => {
      server.off('error', reject)
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
