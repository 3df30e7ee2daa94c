/**
 * What the accrual balancer tells the world: its client's counters (`failure_accrual/*`,
 * `loadbalancer/panic`) and one log line per change of an endpoint's state or of panic, never
 * one per request.
 */
import type { Log } from '../../lib/log.js'
import { Counter, type Scope } from '../metrics/index.js'

/** See the file header. */
export class AccrualEvents {
  private removals = new Counter()
  private revivals = new Counter()
  private removedForMs = new Counter()
  private probes = new Counter()
  private panics = new Counter()

  constructor(
    /** The client's id, on every line. */
    private readonly client: string,
    private readonly log: Log,
  ) {}

  /**
   * Registers the counters and the `available` gauge on `scope`; called again when the client's
   * stats were replaced (they start from zero there, as the client's other stats do).
   */
  attach(scope: Scope, available: () => number): void {
    this.removals = scope.counter('failure_accrual/removals')
    this.revivals = scope.counter('failure_accrual/revivals')
    this.removedForMs = scope.counter('failure_accrual/removed_for_ms')
    this.probes = scope.counter('failure_accrual/probes')
    this.panics = scope.counter('loadbalancer/panic')
    scope.gauge('loadbalancer/available', available)
  }

  /** Counted every time; logged only when it was alive (`fresh`), not after each failed probe. */
  markedDead(endpoint: string, reason: string, backoffMs: number, fresh: boolean): void {
    this.removals.value++
    this.removedForMs.value += backoffMs
    if (!fresh) return
    this.log.warn('endpoint marked dead', { client: this.client, endpoint, reason, backoffMs })
  }

  revived(endpoint: string, deadForMs: number): void {
    this.revivals.value++
    this.log.info('endpoint revived', { client: this.client, endpoint, deadForMs })
  }

  probed(): void {
    this.probes.value++
  }

  /** Panic entered (`true`) or left. */
  panic(entered: boolean, endpoints: number): void {
    const fields = { client: this.client, endpoints }
    if (!entered) {
      this.log.info('an endpoint is alive again; no longer balancing over dead ones', fields)
      return
    }
    this.panics.value++
    this.log.warn('every endpoint is marked dead; balancing over them anyway', fields)
  }
}
