/**
 * `io.l5d.successRate`: an endpoint is marked dead when its success rate, an exponentially
 * weighted average over about the last `requests` outcomes, drops below `successRate`. It is
 * judged only once it has at least `MIN_REQUESTS` outcomes (one early failure is not a rate).
 *
 * ```yaml
 * failureAccrual:
 *   kind: io.l5d.successRate
 *   successRate: 0.9
 *   requests: 100
 * ```
 */
import type { Section } from '../../lib/config/section.js'
import type { AccrualPlugin, FailurePolicy } from './index.js'

/** Fewest outcomes before a success rate is judged (as Finagle's minimum request threshold). */
export const MIN_REQUESTS = 5

/**
 * A success rate over decayed counts: before each outcome both counts are multiplied by
 * `decay()` (a number in (0, 1]), so an outcome's weight fades with what came after it.
 */
export class SuccessRate implements FailurePolicy {
  private successes = 0
  private total = 0
  private seen = 0

  constructor(
    private readonly required: number,
    private readonly decay: () => number,
  ) {}

  record(ok: boolean): boolean {
    const d = this.decay()
    this.successes = this.successes * d + (ok ? 1 : 0)
    this.total = this.total * d + 1
    this.seen++
    return this.seen >= MIN_REQUESTS && this.rate() < this.required
  }

  rate(): number {
    return this.total === 0 ? 1 : this.successes / this.total
  }

  reset(): void {
    this.successes = 0
    this.total = 0
    this.seen = 0
  }

  reason(): string {
    return `success rate ${this.rate().toFixed(3)} below ${this.required}`
  }
}

/** `successRate`, a number in [0, 1] (required). */
export function requiredRate(s: Section): number {
  return s.number('successRate', undefined, { min: 0, max: 1, integer: false })
}

export const successRate: AccrualPlugin = {
  kind: 'io.l5d.successRate',
  parse(s) {
    const required = requiredRate(s)
    const requests = s.number('requests', undefined, { min: 1 })
    // Each outcome weighs e^(-1/requests) of the one after it: a window of ~`requests`.
    const factor = Math.exp(-1 / requests)
    return () => () => new SuccessRate(required, () => factor)
  },
}
