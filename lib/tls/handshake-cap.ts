/**
 * A bound on the TLS handshakes in progress on one server. Each one holds about 55 KB (OpenSSL's
 * state and buffers) for up to the handshake limit (10 s): without a bound, clients that open
 * connections and stall mid-handshake hold memory at will (1,000 a second: ~550 MB). A new
 * connection over the bound is closed at once, before any TLS work; the handshakes already
 * under way are not disturbed. Established connections are not counted.
 */
import type { Server as HttpsServer } from 'node:https'
import type { Socket } from 'node:net'
import type { Server as TlsServer, TLSSocket } from 'node:tls'

/** The default bound (`tls.maxConcurrentHandshakes`), as the pools' `maxSize`. */
export const MAX_CONCURRENT_HANDSHAKES = 1024

/** The live count of one capped server. */
export interface HandshakeCap {
  /** Handshakes in progress now (connections accepted, neither secure nor closed). */
  readonly inProgress: number
}

type ConnectionListener = (this: unknown, socket: Socket) => void

/**
 * Caps the handshakes in progress on `server` at `max`; `onRefused` is called for each
 * connection closed over it. The `connection` listeners present, Node's own among them (it
 * starts the TLS handshake), are taken over and called only for the connections admitted;
 * connections accepted before this call are not counted.
 */
export function capHandshakes(
  server: TlsServer | HttpsServer,
  max: number,
  onRefused: () => void,
): HandshakeCap {
  const starts = server.listeners('connection') as ConnectionListener[]
  server.removeAllListeners('connection')
  // The secure TLS socket is not the accepted TCP socket: they are matched by their addresses.
  const pending = new Map<string, () => void>()
  let inProgress = 0
  server.on('connection', (socket: Socket) => {
    if (inProgress >= max) {
      socket.destroy()
      onRefused()
      return
    }
    inProgress++
    const key = addressesOf(socket)
    let done = false
    const release = (): void => {
      if (done) return
      done = true
      inProgress--
      if (pending.get(key) === release) pending.delete(key)
    }
    pending.set(key, release)
    // Closed before, during or after the handshake (a failure, a timeout, a shutdown): the TCP
    // socket always closes, so the count never leaks.
    socket.once('close', release)
    for (const start of starts) start.call(server, socket)
  })
  server.on('secureConnection', (socket: TLSSocket) => pending.get(addressesOf(socket))?.())
  return {
    get inProgress() {
      return inProgress
    },
  }
}

function addressesOf(socket: Socket): string {
  return `${socket.remoteAddress}|${socket.remotePort}|${socket.localAddress}|${socket.localPort}`
}
