/**
 * The liveness of an idle HTTP/2 session: after `keepAliveMs` with no stream it is sent a PING,
 * and one unanswered within `pingTimeoutMs` means the endpoint (or the path to it) is dead; after
 * `idleTimeMs` with no stream it is closed. One coarse timer per session, running only while
 * the session is idle: a busy session costs nothing here.
 */
export interface KeepaliveOptions {
  readonly keepAliveMs: number
  readonly pingTimeoutMs: number
  readonly idleTimeMs: number
}

/** What the keepalive acts on. */
export interface KeepaliveTarget {
  /** Sends a PING; `answered` is called when it is acknowledged. */
  ping(answered: () => void): void
  /** No PONG in time: the session is dead. */
  dead(ms: number): void
  /** Idle for `idleTimeMs`: close the session. */
  expired(): void
}

export class Keepalive {
  private timer: NodeJS.Timeout | undefined
  private idleSince = 0
  private pingedAt = -Infinity
  private waitingPong: NodeJS.Timeout | undefined

  constructor(
    private readonly o: KeepaliveOptions,
    private readonly target: KeepaliveTarget,
  ) {}

  /** The session has no stream from now on. */
  idle(): void {
    this.idleSince = Date.now()
    if (this.timer !== undefined) return
    const every = Math.min(positive(this.o.keepAliveMs), positive(this.o.idleTimeMs)) / 2
    if (every === Infinity) return
    this.timer = setInterval(() => this.tick(), Math.max(10, every)).unref()
  }

  /** The session has a stream: nothing to watch until it is idle again. */
  busy(): void {
    if (this.timer === undefined) return
    clearInterval(this.timer)
    this.timer = undefined
  }

  stop(): void {
    this.busy()
    clearTimeout(this.waitingPong)
    this.waitingPong = undefined
  }

  private tick(): void {
    const now = Date.now()
    const { keepAliveMs, idleTimeMs } = this.o
    if (idleTimeMs > 0 && now - this.idleSince >= idleTimeMs) return this.target.expired()
    const due = now - Math.max(this.idleSince, this.pingedAt) >= keepAliveMs
    if (keepAliveMs > 0 && due && this.waitingPong === undefined) this.ping(now)
  }

  private ping(now: number): void {
    this.pingedAt = now
    const ms = this.o.pingTimeoutMs
    this.waitingPong = setTimeout(() => this.target.dead(ms), ms).unref()
    this.target.ping(() => {
      clearTimeout(this.waitingPong)
      this.waitingPong = undefined
    })
  }
}

function positive(ms: number): number {
  return ms > 0 ? ms : Infinity
}
