/**
 * `constant`: the same delay every time (linkerd's default retry backoff is `constant` 0 ms).
 *
 * ```yaml
 * backoff:
 *   kind: constant
 *   ms: 100
 * ```
 */
import { MAX_TIMER_MS } from '../../lib/config/common.js'
import type { Backoff, BackoffPlugin } from './index.js'

/** Delays of `ms` each. */
export function constantBackoff(ms: number): Backoff {
  return () => () => ms
}

export const constant: BackoffPlugin = {
  kind: 'constant',
  parse(s) {
    const ms = s.number('ms', 0, { min: 0, max: MAX_TIMER_MS })
    return () => constantBackoff(ms)
  },
}
