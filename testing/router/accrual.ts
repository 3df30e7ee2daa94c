/**
 * Test support for failure accrual (router/accrual): an `AccrualBalancer` over p2c whose clock,
 * timers and log the test holds, and a reader of a client's metrics by name.
 */
import type { Log } from '../../lib/log.js'
import type { Backoff } from '../../router/backoffs/index.js'
import {
  AccrualBalancer,
  ConsecutiveFailures,
  type AccrualOptions,
} from '../../router/accrual/index.js'
import { p2cBalancer } from '../../router/balancers/index.js'
import { ClientStats, type Entry } from '../../router/metrics/index.js'
import { seededRandom } from '../random.js'

/** A timer the test fires by hand. */
export interface ManualTimer {
  readonly fn: () => void
  readonly ms: number
  cancelled: boolean
}

export interface AccrualHarness {
  readonly balancer: AccrualBalancer
  readonly stats: ClientStats
  readonly clock: { now: number }
  readonly timers: ManualTimer[]
  /** Log lines, `level: msg endpoint`. */
  readonly lines: string[]
  /** Fires every pending timer (not cancelled), in order, once. */
  fire(): void
  /** A metric of the client's stats by its name (`failure_accrual/removals`). */
  metric(name: string): number | undefined
}

/** Delays of 100, 200, 300 … ms: each death of a run waits longer than the previous one. */
export const growingBackoff: Backoff = () => {
  let n = 0
  return () => ++n * 100
}

/** A harness: 3 consecutive failures mark dead, backoff `growingBackoff`, unless `options` say. */
export function accrualHarness(options: Partial<AccrualOptions> = {}): AccrualHarness {
  const clock = { now: 1_000_000 }
  const timers: ManualTimer[] = []
  const lines: string[] = []
  const line =
    (level: string) =>
    (msg: string, fields?: Readonly<Record<string, unknown>>): void => {
      const endpoint = fields?.['endpoint']
      lines.push(`${level}: ${msg}${typeof endpoint === 'string' ? ` ${endpoint}` : ''}`)
    }
  const log: Log = {
    debug: line('debug'),
    info: line('info'),
    warn: line('warn'),
    error: line('error'),
  }
  const balancer = new AccrualBalancer(p2cBalancer({ maxEffort: 5 })(seededRandom(3)), {
    accrual: { policy: () => new ConsecutiveFailures(3), backoff: growingBackoff },
    id: '/#/io.l5d.fs/users',
    log,
    now: () => clock.now,
    schedule: (fn, ms) => {
      const t: ManualTimer = { fn, ms, cancelled: false }
      timers.push(t)
      return () => (t.cancelled = true)
    },
    ...options,
  })
  const stats = new ClientStats()
  balancer.attach(stats)
  return {
    balancer,
    stats,
    clock,
    timers,
    lines,
    fire() {
      for (const t of timers.splice(0)) if (!t.cancelled) t.fn()
    },
    metric(name) {
      const out: Entry[] = []
      stats.collectAt([], out)
      const e = out.find((x) => x.path.join('/') === name)
      return e !== undefined && e.kind !== 'stat' ? e.value : undefined
    },
  }
}
