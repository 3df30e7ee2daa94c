/**
 * The backoff family (linkerd's `backoff` sections, used by `service.retries.backoff` and
 * `client.failureAccrual.backoff`): `constant` (`ms`) and `jittered` (`minMs`, `maxMs`). A
 * `Backoff` makes the delays of one run of attempts: each call of the function it returns is the
 * next delay, in ms.
 */
import { Section } from '../../lib/config/section.js'
import { parseKind, registry, type Plugin } from '../../lib/plugin.js'
import { constant } from './constant.js'
import { jittered } from './jittered.js'

/** Starts a run of delays; `random` is injectable for tests (default `Math.random`). */
export type Backoff = (random?: () => number) => () => number

export type BackoffPlugin = Plugin<Backoff, Record<string, never>>

/** The built-in kinds. */
export const backoffs = registry(constant, jittered)

/**
 * The backoff a `backoff` section describes, or `fallback` when the section is absent. `kind`
 * is required in a section. Throws a `ConfigError` for an unknown kind or key, or a bad value.
 */
export function parseBackoff(s: Section | undefined, fallback: Backoff): Backoff {
  if (s === undefined) return fallback
  return parseKind(backoffs, s)({})
}

export { constantBackoff } from './constant.js'
export { jitteredBackoff } from './jittered.js'
