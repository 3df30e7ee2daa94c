/**
 * The metrics of an `io.l5d.namerd.http` interpreter, under its router's scope
 * (`rt/<router>/interpreter/io.l5d.namerd.http/…`):
 * - `reconnects`: stream failures after which a reconnection was scheduled (counter);
 * - `updates`: documents applied, i.e. changes namerd pushed (counter);
 * - `streams`, `streams_disconnected`: running streams, and those whose last connection failed
 *   (gauges);
 * - `update_lag_ms`: how far behind namerd the router may be: 0 while every stream is
 *   connected, else the time since the longest-disconnected stream lost namerd (gauge).
 */
import type { Scope } from '../../metrics/index.js'
import type { StreamHealth } from './state.js'

const AT = ['interpreter', 'io.l5d.namerd.http']

/** Registers the metrics in `scope`; the interpreter calls `reconnected` and `updated`. */
export function interpreterMetrics(scope: Scope): {
  reconnected(): void
  updated(): void
  follow(health: () => StreamHealth): void
} {
  const reconnects = scope.counter([...AT, 'reconnects'])
  const updates = scope.counter([...AT, 'updates'])
  return {
    reconnected: () => void reconnects.value++,
    updated: () => void updates.value++,
    follow(health) {
      scope.gauge([...AT, 'streams'], () => health().streams)
      scope.gauge([...AT, 'streams_disconnected'], () => health().disconnected)
      scope.gauge([...AT, 'update_lag_ms'], () => health().lagMs)
    },
  }
}
