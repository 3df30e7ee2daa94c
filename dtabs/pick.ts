import type { BoundLeaf, NameTree, Weighted } from './index.js'

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
  let total = 0
  for (const m of members) total += m.weight > 0 ? m.weight : 0
  let x = r * total
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
