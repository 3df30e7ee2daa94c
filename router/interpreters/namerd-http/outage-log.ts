import type { WatchState } from '../../../lib/namerd-client/index.js'

/**
 * One log line when namerd becomes unreachable and one when it is back, from the namespace's
 * dtab stream (always running): not one per stream or per retry. With replicas, the host is
 * the one that failed, and "back" may be another replica.
 */
export function outageLog(
  fallback: string,
  log: (message: string) => void,
): (s: WatchState) => void {
  let down = false
  return (s) => {
    const host = s.host ?? fallback
    if (s.state === 'retrying' && !down) {
      down = true
      log(
        `namerd at ${host} is unreachable (${s.lastError ?? ''}); names keep their last bindings while the router reconnects`,
      )
    } else if (s.state === 'open' && down) {
      down = false
      log(`namerd at ${host} is reachable again`)
    }
  }
}
