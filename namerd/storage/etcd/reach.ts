import type { Log } from '../../../lib/log.js'
import type { BackendEvents } from '../backend.js'

/**
 * Whether etcd answered its last contact (a call or the watch): reports each transition to the
 * watch and logs it without flooding. During an outage etcd3 reports a disconnection many times
 * a second, and a flapping link would log a line per flap: at most one "unreachable" line (with
 * the number left unsaid) per `quietMs`, and "reachable again" only after a logged outage.
 */
export class Reachability {
  private up: boolean | undefined
  private events: BackendEvents | undefined
  private lastWarn = -Infinity
  private unsaid = 0
  private saidDown = false

  constructor(
    private readonly log: Log,
    /** Fields naming the store in log lines (never credentials). */
    private readonly where: Readonly<Record<string, unknown>>,
    private readonly quietMs = 30_000,
  ) {}

  /** Starts reporting to `events` (the watch), with the current state if known. */
  attach(events: BackendEvents | undefined): void {
    this.events = events
    if (events !== undefined && this.up !== undefined) events.reachable(this.up)
  }

  set(up: boolean, detail?: string): void {
    if (up === this.up) return
    this.up = up
    if (up) this.sayUp()
    else this.sayDown(detail)
    this.events?.reachable(up)
  }

  private sayDown(detail: string | undefined): void {
    const now = Date.now()
    if (now - this.lastWarn < this.quietMs) {
      this.unsaid++
      this.saidDown = false
      return
    }
    this.log.warn('etcd unreachable', { ...this.where, detail, outagesNotLogged: this.unsaid })
    this.lastWarn = now
    this.unsaid = 0
    this.saidDown = true
  }

  private sayUp(): void {
    if (this.saidDown) this.log.info('etcd reachable again', this.where)
    this.saidDown = false
  }
}
