/**
 * `io.l5d.successRateWindowed`: as `io.l5d.successRate`, but the average is over time: an
 * outcome's weight halves every `window`·ln 2 seconds, so the rate covers about the last
 * `window` seconds.
 *
 * ```yaml
 * failureAccrual:
 *   kind: io.l5d.successRateWindowed
 *   successRate: 0.9
 *   window: 30
 * ```
 */
import { MAX_TIMER_MS } from '../../lib/config/common.js'
import type { AccrualPlugin } from './index.js'
import { requiredRate, SuccessRate } from './success-rate.js'

/** A success rate whose history decays with the time since the previous outcome. */
export function windowedSuccessRate(
  required: number,
  windowMs: number,
  now: () => number,
): SuccessRate {
  let last: number | undefined
  return new SuccessRate(required, () => {
    const t = now()
    const d = last === undefined ? 1 : Math.exp(-Math.max(0, t - last) / windowMs)
    last = t
    return d
  })
}

export const successRateWindowed: AccrualPlugin = {
  kind: 'io.l5d.successRateWindowed',
  parse(s) {
    const required = requiredRate(s)
    const windowMs =
      s.number('window', undefined, { min: 1, max: Math.floor(MAX_TIMER_MS / 1000) }) * 1000
    return () => (now) => windowedSuccessRate(required, windowMs, now)
  },
}
