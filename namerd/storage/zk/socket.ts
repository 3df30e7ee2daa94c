/**
 * The two things node-zookeeper-client cannot do by itself, done through its private
 * `client.connectionManager`: time out a handshake that is never answered, and close without
 * leaving sockets or reconnect timers behind. Both verified against node-zookeeper-client 1.1.3
 * and ZooKeeper 3.8.0; each function says why it is needed.
 */
import type { Socket } from 'node:net'
import type { Client } from 'node-zookeeper-client'

/** The parts of the library's ConnectionManager used here (not in its typings). */
interface Internals {
  /** 1 is CONNECTING (TCP connecting or handshake sent, no answer yet); 2 is CONNECTED. */
  state: number
  socket?: Socket
  connectTimeoutHandler?: NodeJS.Timeout | null
  /** Called by the library to reconnect after a socket closes. */
  connect: () => void
}

const CONNECTING = 1
const CONNECTED = 2

function internals(client: Client): Internals {
  return (client as unknown as { connectionManager: Internals }).connectionManager
}

/**
 * Destroys a connection that has stayed in CONNECTING on the same socket for longer than
 * `ms`; the library then retries (and keeps its session). Needed because ZooKeeper 3.8 accepts
 * connections before it can serve them and then never answers (ZOOKEEPER-5051), while the
 * library has no handshake timeout. Returns how to stop it.
 */
export function installHandshakeWatchdog(
  client: Client,
  ms: number,
  onStuck: () => void,
): () => void {
  const cm = internals(client)
  let watched: Socket | undefined
  let since = 0
  const timer = setInterval(
    () => {
      const socket = cm.state === CONNECTING ? cm.socket : undefined
      if (socket === undefined || socket.destroyed) {
        watched = undefined
      } else if (socket !== watched) {
        watched = socket
        since = Date.now()
      } else if (Date.now() - since > ms) {
        watched = undefined
        onStuck()
        socket.destroy()
      }
    },
    Math.max(50, Math.min(500, ms / 4)),
  )
  timer.unref()
  return () => clearInterval(timer)
}

/**
 * Closes `client` for good: ends the session politely when connected (bounded wait), then
 * destroys every socket, including one a reconnect timer may still open within `spinMs`.
 * `client.close()` alone can leave sockets open, which keeps the process alive.
 */
export async function retireClient(client: Client, spinMs: number): Promise<void> {
  const cm = internals(client)
  const connected = cm.state === CONNECTED
  // No more reconnects, whatever the library's state machine does next.
  cm.connect = () => {}
  if (connected) {
    client.close()
    await closedOrAfter(cm, 1000)
  }
  destroySocket(cm)
  if (connected) return
  // A reconnect may be waiting on its spin-delay timer; it would open one more socket.
  const deadline = Date.now() + spinMs + 100
  while (Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 50))
    destroySocket(cm)
  }
}

function destroySocket(cm: Internals): void {
  if (cm.connectTimeoutHandler) clearTimeout(cm.connectTimeoutHandler)
  if (cm.socket !== undefined && !cm.socket.destroyed) cm.socket.destroy()
}

/** Waits until the socket is closed (the server answered the close) or `ms` passed. */
async function closedOrAfter(cm: Internals, ms: number): Promise<void> {
  const deadline = Date.now() + ms
  while (Date.now() < deadline && cm.socket !== undefined && !cm.socket.destroyed) {
    await new Promise((r) => setTimeout(r, 20))
  }
}
