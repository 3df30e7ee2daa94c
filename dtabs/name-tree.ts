import { unreachable } from '../lib/errors.js'

/**
 * Finagle's `NameTree[T]`: a leaf, an ordered alternation (`|`), a weighted union (`&`), or
 * one of the three terminals `~` (Neg: no such name), `!` (Fail: stop looking) and `$`
 * (Empty: the name exists but has no endpoints). Trees are immutable plain data and are not
 * normalised on construction.
 */
export type NameTree<T> =
  | { readonly type: 'leaf'; readonly value: T }
  | { readonly type: 'alt'; readonly trees: readonly NameTree<T>[] }
  | { readonly type: 'union'; readonly trees: readonly Weighted<T>[] }
  | Neg
  | Fail
  | Empty

/** A union member and its weight (an IEEE double). */
export interface Weighted<T> {
  readonly weight: number
  readonly tree: NameTree<T>
}

export type Neg = { readonly type: 'neg' }
export type Fail = { readonly type: 'fail' }
export type Empty = { readonly type: 'empty' }

export const NEG: Neg = Object.freeze({ type: 'neg' })
export const FAIL: Fail = Object.freeze({ type: 'fail' })
export const EMPTY: Empty = Object.freeze({ type: 'empty' })

export const leaf = <T>(value: T): NameTree<T> => ({ type: 'leaf', value })
export const alt = <T>(...trees: NameTree<T>[]): NameTree<T> => ({ type: 'alt', trees })
export const union = <T>(...trees: Weighted<T>[]): NameTree<T> => ({ type: 'union', trees })

/** The same tree with every leaf value replaced by `f(value)` (weights and shape kept). */
export function mapTree<A, B>(tree: NameTree<A>, f: (value: A) => NameTree<B>): NameTree<B> {
  switch (tree.type) {
    case 'leaf':
      return f(tree.value)
    case 'alt':
      return { type: 'alt', trees: tree.trees.map((t) => mapTree(t, f)) }
    case 'union':
      return {
        type: 'union',
        trees: tree.trees.map((w) => ({ weight: w.weight, tree: mapTree(w.tree, f) })),
      }
    case 'neg':
    case 'fail':
    case 'empty':
      return tree
    default:
      return unreachable(tree)
  }
}

/**
 * Finagle's `NameTree.simplify`: an evaluation-preserving bottom-up rewrite. Neg children
 * of an Alt are dropped and a Fail truncates it; Neg and Fail members of a Union are dropped
 * (weights kept, no renormalisation); single-child nodes collapse; nothing is flattened or
 * de-duplicated, and Empty is never removed.
 */
export function simplify<T>(tree: NameTree<T>): NameTree<T> {
  switch (tree.type) {
    case 'alt':
      return simplifyAlt(tree.trees)
    case 'union':
      return simplifyUnion(tree.trees)
    case 'leaf':
    case 'neg':
    case 'fail':
    case 'empty':
      return tree
    default:
      return unreachable(tree)
  }
}

function simplifyAlt<T>(children: readonly NameTree<T>[]): NameTree<T> {
  const kept: NameTree<T>[] = []
  for (const child of children) {
    const s = simplify(child)
    if (s.type === 'neg') continue
    kept.push(s)
    if (s.type === 'fail') break
  }
  if (kept.length === 0) return NEG
  if (kept.length === 1) return kept[0] as NameTree<T>
  return { type: 'alt', trees: kept }
}

function simplifyUnion<T>(members: readonly Weighted<T>[]): NameTree<T> {
  const kept: Weighted<T>[] = []
  for (const m of members) {
    const s = simplify(m.tree)
    if (s.type !== 'neg' && s.type !== 'fail') kept.push({ weight: m.weight, tree: s })
  }
  if (kept.length === 0) return NEG
  if (kept.length === 1) return (kept[0] as Weighted<T>).tree
  return { type: 'union', trees: kept }
}

/** The result of `evaluate`: Neg, Fail, or the set of leaf values reachable. */
export type Evaluated<T> = Neg | Fail | { readonly type: 'set'; readonly values: ReadonlySet<T> }

/**
 * Finagle's `NameTree.eval`: Empty is the empty set; an Alt is its first child that is not
 * Neg (an empty set counts as a result); a Union is the union of its members' sets, or Neg if
 * none has one. `evaluate(t)` equals `evaluate(simplify(t))` for every tree.
 */
export function evaluate<T>(tree: NameTree<T>): Evaluated<T> {
  switch (tree.type) {
    case 'leaf':
      return { type: 'set', values: new Set([tree.value]) }
    case 'empty':
      return { type: 'set', values: new Set() }
    case 'neg':
    case 'fail':
      return tree
    case 'alt':
      for (const child of tree.trees) {
        const r = evaluate(child)
        if (r.type !== 'neg') return r
      }
      return NEG
    case 'union':
      return evaluateUnion(tree.trees)
    default:
      return unreachable(tree)
  }
}

function evaluateUnion<T>(members: readonly Weighted<T>[]): Evaluated<T> {
  let values: Set<T> | undefined
  for (const m of members) {
    const r = evaluate(m.tree)
    if (r.type !== 'set') continue
    values ??= new Set()
    for (const v of r.values) values.add(v)
  }
  return values === undefined ? NEG : { type: 'set', values }
}
