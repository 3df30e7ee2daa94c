/**
 * `jittered`: decorrelated jitter between `minMs` and `maxMs` (linkerd's failure accrual backoff
 * is `jittered` 5,000–300,000 ms). The first delay is `minMs`; each next one is drawn uniformly
 * between `minMs` and three times the previous, never above `maxMs`, so clients that failed
 * together do not come back together.
 *
 * ```yaml
 * backoff:
 *   kind: jittered
 *   minMs: 10
 *   maxMs: 10000
 * ```
 */
import { MAX_TIMER_MS } from '../../lib/config/common.js'
import { ConfigError } from '../../lib/config/section.js'
import type { Backoff, BackoffPlugin } from './index.js'

/** Decorrelated jittered delays in [minMs, maxMs]. */
export function jitteredBackoff(minMs: number, maxMs: number): Backoff {
  return (random = Math.random) => {
    let previous = 0
    return () => {
      const next = previous === 0 ? minMs : minMs + random() * (previous * 3 - minMs)
      previous = Math.max(Math.min(maxMs, Math.floor(next)), minMs)
      return previous
    }
  }
}

export const jittered: BackoffPlugin = {
  kind: 'jittered',
  parse(s) {
    // 0 is refused: each delay is drawn from the previous one, so 0 would stay 0 for ever.
    const minMs = s.number('minMs', undefined, { min: 1, max: MAX_TIMER_MS })
    const maxMs = s.number('maxMs', undefined, { min: 1, max: MAX_TIMER_MS })
    if (maxMs < minMs) throw new ConfigError(s.where('maxMs'), `must be at least minMs (${minMs})`)
    return () => jitteredBackoff(minMs, maxMs)
  },
}
