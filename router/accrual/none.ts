/**
 * `none`: failure accrual off; responses never take an endpoint out (failFast still may).
 *
 * ```yaml
 * failureAccrual:
 *   kind: none
 * ```
 */
import type { AccrualPlugin } from './index.js'

export const none: AccrualPlugin = {
  kind: 'none',
  parse() {
    return () => undefined
  },
}
