import zookeeper, { type Client, type State } from 'node-zookeeper-client'
import type { Log } from '../../../lib/log.js'
import { installHandshakeWatchdog, retireClient } from './socket.js'

export interface ZkSessionOptions {
  /** `host:port,host:port`. */
  readonly connect: string
  readonly sessionTimeoutMs: number
  readonly authInfo?: { readonly scheme: string; readonly auth: string }
  /** Longest a handshake may go unanswered before the socket is dropped (default 2 s). */
  readonly handshakeTimeoutMs?: number
  readonly log: Log
}

/** What a session reports: connected (again, or with a new session) and disconnected. */
export interface SessionEvents {
  up(): void
  down(): void
}

/** Longest random pause between two rounds of connection attempts (the library's spinDelay). */
const SPIN_MS = 500
/** Pause before a new client after an authentication failure (avoids a tight loop). */
const AUTH_RETRY_MS = 2000

/**
 * One ZooKeeper session that survives expiry: the library's client never recovers from an
 * expired session, so this closes it and opens a new client, reporting `up` again once the new
 * session is connected (the caller re-reads and re-watches everything then). Every client gets
 * the handshake watchdog and is retired with its sockets destroyed.
 */
export class ZkSession {
  private client: Client | undefined
  private stopWatchdog: () => void = () => {}
  private connected = false
  private everConnected = false
  private closed = false
  /** Calls waiting for the very first connection. */
  private readonly firstUp = new Set<() => void>()
  private retryTimer: NodeJS.Timeout | undefined
  private readonly retiring = new Set<Promise<void>>()
  private readonly handshakeTimeoutMs: number

  constructor(
    private readonly options: ZkSessionOptions,
    private readonly events: SessionEvents,
  ) {
    this.handshakeTimeoutMs = options.handshakeTimeoutMs ?? 2000
    this.open()
  }

  /** The client, when it is connected now; undefined otherwise (callers fail fast). */
  connectedClient(): Client | undefined {
    return this.connected ? this.client : undefined
  }

  /**
   * The connected client. Before the first connection (start-up) it waits up to `ms` for it;
   * after that, a missing connection is an outage and the answer is undefined at once.
   */
  async ready(ms: number): Promise<Client | undefined> {
    if (this.connected || this.everConnected || this.closed) return this.connectedClient()
    await new Promise<void>((resolve) => {
      const done = (): void => {
        clearTimeout(timer)
        this.firstUp.delete(done)
        resolve()
      }
      const timer = setTimeout(done, ms)
      this.firstUp.add(done)
    })
    return this.connectedClient()
  }

  /** Closes the client, stops timers and destroys sockets; nothing is reported afterwards. */
  async close(): Promise<void> {
    this.closed = true
    clearTimeout(this.retryTimer)
    for (const wake of [...this.firstUp]) wake()
    this.retire()
    await Promise.all([...this.retiring])
  }

  private open(): void {
    const { connect, sessionTimeoutMs, authInfo, log } = this.options
    const client = zookeeper.createClient(connect, {
      sessionTimeout: sessionTimeoutMs,
      spinDelay: SPIN_MS,
    })
    if (authInfo !== undefined) client.addAuthInfo(authInfo.scheme, Buffer.from(authInfo.auth))
    client.on('state', (state: State) => this.onState(client, state))
    this.stopWatchdog = installHandshakeWatchdog(client, this.handshakeTimeoutMs, () =>
      log.warn('ZooKeeper handshake unanswered; dropping the connection', {
        servers: connect,
        afterMs: this.handshakeTimeoutMs,
      }),
    )
    this.client = client
    client.connect()
  }

  private onState(client: Client, state: State): void {
    if (client !== this.client || this.closed) return
    const { State: S } = zookeeper
    const { log, connect } = this.options
    if (state === S.SYNC_CONNECTED) {
      this.connected = true
      this.everConnected = true
      log.info('connected to ZooKeeper', { servers: connect })
      this.events.up()
      for (const wake of [...this.firstUp]) wake()
    } else if (state === S.DISCONNECTED) {
      this.setDown()
      log.warn('disconnected from ZooKeeper; reconnecting', { servers: connect })
    } else if (state === S.EXPIRED) {
      this.setDown()
      log.warn('ZooKeeper session expired; opening a new session', { servers: connect })
      this.retire()
      this.open()
    } else if (state === S.AUTH_FAILED) {
      this.setDown()
      log.error('ZooKeeper authentication failed; retrying', { servers: connect })
      this.retire()
      this.retryTimer = setTimeout(() => this.open(), AUTH_RETRY_MS)
    }
  }

  private setDown(): void {
    if (!this.connected) return
    this.connected = false
    this.events.down()
  }

  /** Detaches the current client and closes it in the background (close() awaits it). */
  private retire(): void {
    const client = this.client
    this.client = undefined
    this.connected = false
    this.stopWatchdog()
    if (client === undefined) return
    client.removeAllListeners()
    const done = retireClient(client, SPIN_MS).finally(() => this.retiring.delete(done))
    this.retiring.add(done)
  }
}
