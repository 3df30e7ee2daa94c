/**
 * One timer for the response timeouts of many upstream connections, on a clock it advances
 * itself, so that no request pays for a timer (as H1Server does for its own timeouts): a
 * connection notes the clock when its exchange starts and on each read, and the sweep asks each
 * one whether it has been silent too long. Runs only while it watches a connection.
 */
export interface Watched {
  /** Called on every sweep with the clock; the connection acts if it is overdue. */
  check(now: number): void
}

export class Watchdog {
  /** The clock: Date.now() as of the last sweep (or the first watch). */
  now = Date.now()
  private readonly watched = new Set<Watched>()
  private timer: NodeJS.Timeout | undefined
  private everyMs = Infinity

  /** Watches `w` until `unwatch`; sweeps at least every `timeoutMs / 4` (10 ms to 1 s). */
  watch(w: Watched, timeoutMs: number): void {
    if (this.watched.size === 0) this.now = Date.now()
    this.watched.add(w)
    const every = Math.max(10, Math.min(1000, Math.floor(timeoutMs / 4)))
    if (this.timer !== undefined && every >= this.everyMs) return
    clearInterval(this.timer)
    this.everyMs = every
    this.timer = setInterval(() => this.sweep(), every).unref()
  }

  unwatch(w: Watched): void {
    this.watched.delete(w)
    if (this.watched.size > 0 || this.timer === undefined) return
    clearInterval(this.timer)
    this.timer = undefined
    this.everyMs = Infinity
  }

  private sweep(): void {
    const now = (this.now = Date.now())
    for (const w of this.watched) w.check(now)
  }
}
