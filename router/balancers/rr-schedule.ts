/**
 * The visiting order of `roundRobin`: a cycle of endpoint indices in which each endpoint
 * appears in proportion to its weight, spread out evenly (no bursts), so a pick is one array
 * read. Built at each update.
 */

/** Weights with at most this many decimals get exact ratios. */
const PRECISION = 1000
/** Beyond this length (or the endpoint count, if larger) the ratios are apportioned. */
const MAX_SLOTS = 4096

/**
 * A cycle for `weights`: zero weights are left out unless all are zero (then all count as 1).
 * Equal weights give `[0, 1, …, n − 1]`; 3:1 gives `[0, 0, 1, 0]`.
 */
export function roundRobinSchedule(weights: readonly number[]): Uint32Array {
  return interleave(slotCounts(weights))
}

/** How many times each endpoint appears in one cycle. */
export function slotCounts(weights: readonly number[]): number[] {
  const effective = weights.some((w) => w > 0) ? weights : weights.map(() => 1)
  const fixed = effective.map((w) => (w > 0 ? Math.max(1, Math.round(w * PRECISION)) : 0))
  const divisor = fixed.reduce(gcd, 0)
  const reduced = fixed.map((s) => (divisor > 0 ? s / divisor : 0))
  const limit = Math.max(MAX_SLOTS, weights.length)
  return reduced.reduce((a, b) => a + b, 0) <= limit ? reduced : apportion(effective, limit)
}

function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b]
  return a
}

/** Largest-remainder apportionment of `total` slots, with at least one per positive weight. */
function apportion(weights: readonly number[], total: number): number[] {
  const sum = weights.reduce((a, b) => a + b, 0)
  const quotas = weights.map((w) => (w / sum) * total)
  const slots = quotas.map((q, i) => ((weights[i] ?? 0) > 0 ? Math.max(1, Math.floor(q)) : 0))
  let missing = total - slots.reduce((a, b) => a + b, 0)
  const byRemainder = quotas
    .map((q, i) => ({ i, rest: q - Math.floor(q) }))
    .sort((x, y) => y.rest - x.rest || x.i - y.i)
  for (const { i } of byRemainder) {
    if (missing <= 0) break
    if ((weights[i] ?? 0) <= 0) continue
    slots[i] = (slots[i] ?? 0) + 1
    missing -= 1
  }
  return slots
}

/**
 * Endpoint i's k-th slot sits at (k + ½) / slots(i) of the cycle; the cycle lists slots by that
 * position (ties by index). Each endpoint's visits are thus evenly spaced, as in smooth
 * weighted round robin.
 */
function interleave(slots: readonly number[]): Uint32Array {
  const owner: number[] = []
  const at: number[] = []
  slots.forEach((count, i) => {
    for (let k = 0; k < count; k++) {
      owner.push(i)
      at.push((k + 0.5) / count)
    }
  })
  const order = owner.map((_, j) => j)
  order.sort((x, y) => (at[x] ?? 0) - (at[y] ?? 0) || (owner[x] ?? 0) - (owner[y] ?? 0))
  return Uint32Array.from(order, (j) => owner[j] ?? 0)
}
