import { PENDING, type ActState, type Var } from './activity.js'
import { lookup, type Dtab } from './dtab.js'
import { MaxDepthError } from './errors.js'
import { NEG, simplify, type NameTree, type Weighted } from './name-tree.js'
import { isBound, type BoundLeaf, type MountedNamer, type Name } from './name.js'
import { startsWith, type Path } from './path.js'

/** Finagle's `namerMaxDepth`: lookups deeper than this fail (the dtab loops). */
export const MAX_DEPTH = 100

/** What binding needs: the dtab (base ++ local) and the namers, in configuration order. */
export interface BindContext {
  readonly dtab: Dtab
  /** Configured namers in order, then normally the global `/$` namer last. */
  readonly namers: readonly MountedNamer[]
  readonly maxDepth?: number
}

type Pending = { readonly type: 'pending' }
type Failed = { readonly type: 'failed'; readonly error: Error }
/** A step of binding: a tree, or not ready yet, or failed. */
type Step<T> = NameTree<T> | Pending | Failed

interface Run {
  readonly ctx: BindContext
  readonly maxDepth: number
  /** Every changeable activity consulted, so a binding can follow their changes. */
  readonly deps: Var<unknown>[]
}

/**
 * Binds `path` once, with the current values of the namers (Finagle `Namer.bind`): Alt is
 * lazy and falls through only on Neg; a Union binds every member and drops the failed, pending,
 * Neg and Fail ones; the result has no Alt. `deps` receives each changeable activity read.
 */
export function bindOnce(
  ctx: BindContext,
  path: Path,
  deps: Var<unknown>[] = [],
): ActState<NameTree<BoundLeaf>> {
  const run: Run = { ctx, maxDepth: ctx.maxDepth ?? MAX_DEPTH, deps }
  const step = bindTree(run, { type: 'leaf', value: path }, 0, undefined)
  if (step.type === 'pending' || step.type === 'failed') return step
  return { type: 'ok', value: step }
}

function bindTree(
  run: Run,
  tree: NameTree<Name>,
  depth: number,
  weight: number | undefined,
): Step<BoundLeaf> {
  if (depth > run.maxDepth) return { type: 'failed', error: new MaxDepthError(run.maxDepth) }
  switch (tree.type) {
    case 'leaf': {
      const name = tree.value
      if (isBound(name)) return { type: 'leaf', value: { bound: name, weight } }
      const found = lookupPath(run, name)
      if (found.type === 'pending' || found.type === 'failed') return found
      return bindTree(run, found, depth + 1, weight)
    }
    case 'neg':
    case 'fail':
    case 'empty':
      return tree
    case 'union':
      return bindUnion(run, tree.trees, depth)
    case 'alt':
      return bindAlt(run, tree.trees, depth, weight)
  }
}

function bindAlt(
  run: Run,
  trees: readonly NameTree<Name>[],
  depth: number,
  weight: number | undefined,
): Step<BoundLeaf> {
  for (const child of trees) {
    const step = bindTree(run, child, depth, weight)
    if (step.type !== 'neg') return step
  }
  return NEG
}

function bindUnion(run: Run, members: readonly Weighted<Name>[], depth: number): Step<BoundLeaf> {
  if (members.length === 0) return NEG
  if (members.length === 1) {
    const only = members[0] as Weighted<Name>
    return bindTree(run, only.tree, depth, only.weight)
  }
  const values: Weighted<BoundLeaf>[] = []
  let firstFailure: Failed | undefined
  for (const m of members) {
    const step = bindTree(run, m.tree, depth, m.weight)
    if (step.type === 'failed') firstFailure ??= step
    else if (step.type !== 'pending') values.push({ weight: m.weight, tree: step })
  }
  if (values.length > 0) return simplify({ type: 'union', trees: values })
  return firstFailure ?? PENDING
}

/**
 * One lookup (docs/dtab-semantics.md §6.1): the dtab first; if it gives Neg, the namers whose
 * prefix matches, in order, until one answers something other than Neg.
 */
function lookupPath(run: Run, path: Path): Step<Name> {
  const fromDtab = lookup(run.ctx.dtab, path)
  if (fromDtab.type !== 'neg') return fromDtab
  for (const { prefix, namer } of run.ctx.namers) {
    if (!startsWith(path, prefix)) continue
    const activity = namer.lookup(prefix.length === 0 ? path : path.slice(prefix.length))
    if (!activity.constant) run.deps.push(activity)
    const state = activity.get()
    if (state.type === 'ok') {
      if (state.value.type !== 'neg') return state.value
    } else {
      return state
    }
  }
  return NEG
}
