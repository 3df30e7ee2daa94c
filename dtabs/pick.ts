import type { BoundLeaf, NameTree, Weighted } from './index.js'
import { showPath } from './path.js'

/**
 * The bound leaf one request goes to (Finagle `NameTreeFactory`): a Union picks one member at
 * random in proportion to its weight (this is what splits canary traffic), recursively; a Leaf is
 * itself; Neg, Fail and Empty (and an Alt, which binding never leaves) route nowhere.
 */
export function pickLeaf(
  tree: NameTree<BoundLeaf>,
  random: () => number = Math.random,
): BoundLeaf | undefined {
  let t = tree
  for (;;) {
    if (t.type === 'leaf') return t.value
    if (t.type !== 'union' || t.trees.length === 0) return undefined
    t = pickMember(t.trees, random()).tree
  }
}

function pickMember<T>(members: readonly Weighted<T>[], r: number): Weighted<T> {
  let x = r * positiveTotal(members)
  for (const m of members) {
    if (m.weight <= 0) continue
    x -= m.weight
    if (x < 0) return m
  }
  // Rounding, or all weights zero: fall back to the last member with weight, else the first.
  for (let i = members.length - 1; i >= 0; i--)
    if ((members[i] as Weighted<T>).weight > 0) return members[i] as Weighted<T>
  return members[0] as Weighted<T>
}

/** A bound leaf and the share of requests it gets (0 to 1). */
export interface LeafShare {
  readonly leaf: BoundLeaf
  readonly share: number
}

/**
 * The share of requests each bound id gets when `pickLeaf` picks from `tree`, keyed by the id's
 * show form: the exact probabilities of the draws `pickLeaf` makes (a member's weight over its
 * union's positive weights; a union without one always takes its first member). The shares sum to
 * 1 minus the traffic that routes nowhere (Neg, Fail, Empty, Alt): a tree that routes nowhere has
 * no entry. Ids reached by several branches add up.
 */
export function splitOf(tree: NameTree<BoundLeaf>): Map<string, LeafShare> {
  const out = new Map<string, LeafShare>()
  const walk = (t: NameTree<BoundLeaf>, p: number): void => {
    if (p <= 0) return
    if (t.type === 'leaf') {
      const id = showPath(t.value.bound.id)
      out.set(id, { leaf: out.get(id)?.leaf ?? t.value, share: (out.get(id)?.share ?? 0) + p })
    } else if (t.type === 'union' && t.trees.length > 0) {
      const total = positiveTotal(t.trees)
      if (total === 0) return walk((t.trees[0] as Weighted<BoundLeaf>).tree, p)
      for (const m of t.trees) if (m.weight > 0) walk(m.tree, (p * m.weight) / total)
    }
  }
  walk(tree, 1)
  return out
}

function positiveTotal<T>(members: readonly Weighted<T>[]): number {
  let total = 0
  for (const m of members) total += m.weight > 0 ? m.weight : 0
  return total
}
