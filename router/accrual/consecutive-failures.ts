/**
 * `io.l5d.consecutiveFailures`: an endpoint is marked dead after `failures` failures in a row
 * (linkerd's default kind, with 5).
 *
 * ```yaml
 * failureAccrual:
 *   kind: io.l5d.consecutiveFailures
 *   failures: 5
 * ```
 */
import type { AccrualPlugin, FailurePolicy } from './index.js'

/** Counts failures since the last success. */
export class ConsecutiveFailures implements FailurePolicy {
  private failures = 0

  constructor(private readonly limit: number) {}

  record(ok: boolean): boolean {
    if (ok) {
      this.failures = 0
      return false
    }
    return ++this.failures >= this.limit
  }

  reset(): void {
    this.failures = 0
  }

  reason(): string {
    return `${this.failures} consecutive failures`
  }
}

export const consecutiveFailures: AccrualPlugin = {
  kind: 'io.l5d.consecutiveFailures',
  parse(s) {
    const failures = s.number('failures', undefined, { min: 1 })
    return () => () => new ConsecutiveFailures(failures)
  },
}
