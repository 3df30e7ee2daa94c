/**
 * Keys every balancer kind reads (linkerd `LoadBalancerConfig`), read once here so no kind
 * repeats them.
 */
import type { Section } from '../../lib/config/section.js'

/** The options shared by all kinds. */
export interface CommonOptions {
  /** Re-draws allowed when a second choice repeats the first (linkerd default 5). */
  readonly maxEffort: number
}

export const DEFAULT_MAX_EFFORT = 5

/**
 * Reads `maxEffort` (an integer ≥ 0, default 5) and `enableProbation`. The latter must be a
 * boolean and has no effect: in linkerd it keeps an endpoint that discovery removed in the pool
 * while it stays healthy, and here there is no health tracking, so a removal is immediate.
 */
export function readCommon(s: Section): CommonOptions {
  const maxEffort = s.number('maxEffort', DEFAULT_MAX_EFFORT, { min: 0 })
  s.bool('enableProbation', false)
  return { maxEffort }
}
