/**
 * A TCP relay on loopback for tests: clients connect to the relay, which forwards to a target
 * server. `block()` cuts clients off while the server stays up (e.g. to let a ZooKeeper
 * session expire): open connections are closed, and connections made while blocked are
 * accepted but never answered, like a server that accepts and then hangs. They stay silent
 * even after `unblock()`, until their client gives up; only new connections are relayed again.
 */
import { connect, createServer, type Server, type Socket } from 'node:net'

export class TcpRelay {
  private blocked = false
  /** Every socket the relay holds (both sides of relayed pairs, and held connections). */
  private readonly sockets = new Set<Socket>()
  /** Relayed client-side sockets, cut by `block()`. */
  private readonly relayed = new Set<Socket>()

  private constructor(
    private readonly server: Server,
    readonly targetPort: number,
    readonly targetHost: string,
  ) {
    server.on('connection', (client) => this.accept(client))
  }

  /** Starts a relay on a free loopback port that forwards to `host:port`. */
  static async start(port: number, host = '127.0.0.1'): Promise<TcpRelay> {
    const server = createServer()
    const relay = new TcpRelay(server, port, host)
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(0, '127.0.0.1', () => resolve())
    })
    return relay
  }

  /** The relay's own port (give this to clients). */
  get port(): number {
    return (this.server.address() as { port: number }).port
  }

  /** Open sockets on either side (relayed pairs count twice, held connections once). */
  get connections(): number {
    return this.sockets.size
  }

  /** Whether connections are cut off now. */
  get isBlocked(): boolean {
    return this.blocked
  }

  /** Closes every relayed connection and holds new ones silent until `unblock()`. */
  block(): void {
    this.blocked = true
    for (const s of this.relayed) s.destroy()
  }

  /** Relays new connections again. */
  unblock(): void {
    this.blocked = false
  }

  /** Stops listening and closes every connection. */
  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy()
    await new Promise<void>((resolve) => this.server.close(() => resolve()))
  }

  private track(s: Socket): void {
    this.sockets.add(s)
    s.on('error', () => {})
    s.on('close', () => {
      this.sockets.delete(s)
      this.relayed.delete(s)
    })
  }

  private accept(client: Socket): void {
    this.track(client)
    // Held: read and drop whatever arrives, answer nothing.
    if (this.blocked) {
      client.resume()
      return
    }
    this.relayed.add(client)
    const upstream = connect(this.targetPort, this.targetHost)
    this.track(upstream)
    client.pipe(upstream)
    upstream.pipe(client)
    client.on('close', () => upstream.destroy())
    upstream.on('close', () => client.destroy())
  }
}
