import { PENDING, type ActState, type Var } from './activity.js'
import { lookup, type Dtab } from './dtab.js'
import { BindingTooLargeError, MaxDepthError } from './errors.js'
import { NEG, type NameTree, type Weighted } from './name-tree.js'
import { isBound, type BoundLeaf, type MountedNamer, type Name } from './name.js'
import { startsWith, type Path } from './path.js'

/** Finagle's `namerMaxDepth`: lookups deeper than this fail (the dtab loops). */
export const MAX_DEPTH = 100

/**
 * Default work budget of one bind (`bindingNodeLimit`): one per step, one per 16 elements of
 * every path looked up, and the size of every shared result reused. A real dtab's bind costs tens to
 * hundreds (docs/limits.md).
 */
export const MAX_BIND_NODES = 1000

/** What binding needs: the dtab (base ++ local) and the namers, in configuration order. */
export interface BindContext {
  readonly dtab: Dtab
  /** Configured namers in order, then normally the global `/$` namer last. */
  readonly namers: readonly MountedNamer[]
  readonly maxDepth?: number
  /** Work budget of one bind (default `MAX_BIND_NODES`); past it the bind fails. */
  readonly maxNodes?: number
}

type Pending = { readonly type: 'pending' }
type Failed = { readonly type: 'failed'; readonly error: Error }
/** A step of binding: a tree, or not ready yet, or failed. */
type Step<T> = NameTree<T> | Pending | Failed

/** A step and the number of nodes of its tree written out (shared sub-trees counted each time). */
interface Sized {
  readonly step: Step<BoundLeaf>
  readonly size: number
}

interface Run {
  readonly ctx: BindContext
  readonly maxDepth: number
  readonly maxNodes: number
  /** Every changeable activity consulted, so a binding can follow their changes. */
  readonly deps: Var<unknown>[]
  /** Results of paths already bound in this bind, by (depth, weight, path). */
  readonly memo: Map<string, Sized>
  work: number
  /** One error for every too-deep branch: building one per branch (its stack) is the cost. */
  tooDeep?: Sized
}

/** Thrown inside one bind when the budget runs out; `bindOnce` turns it into a failure. */
class OverBudget {}

/**
 * Binds `path` once, with the current values of the namers (Finagle `Namer.bind`): Alt is
 * lazy and falls through only on Neg; a Union binds every member and drops the failed, pending,
 * Neg and Fail ones; the result has no Alt. `deps` receives each changeable activity read.
 *
 * The same path met at the same depth with the same weight is bound once and its tree shared,
 * which gives the same result as binding it again (the namers are read once per bind). Work is
 * bounded: each step costs one, each lookup its path's `pathCost`, each reuse the size of the
 * reused tree; so both the time and the written-out size of the result stay under `maxNodes`,
 * else the bind fails with a `BindingTooLargeError`.
 */
export function bindOnce(
  ctx: BindContext,
  path: Path,
  deps: Var<unknown>[] = [],
): ActState<NameTree<BoundLeaf>> {
  const maxNodes = ctx.maxNodes ?? MAX_BIND_NODES
  const run: Run = {
    ctx,
    maxDepth: ctx.maxDepth ?? MAX_DEPTH,
    maxNodes,
    deps,
    memo: new Map(),
    work: 0,
  }
  let step: Step<BoundLeaf>
  try {
    step = bindTree(run, { type: 'leaf', value: path }, 0, undefined).step
  } catch (e) {
    if (!(e instanceof OverBudget)) throw e
    return { type: 'failed', error: new BindingTooLargeError(maxNodes) }
  }
  if (step.type === 'pending' || step.type === 'failed') return step
  return { type: 'ok', value: step }
}

function spend(run: Run, cost: number): void {
  run.work += cost
  if (run.work > run.maxNodes) throw new OverBudget()
}

function bindTree(
  run: Run,
  tree: NameTree<Name>,
  depth: number,
  weight: number | undefined,
): Sized {
  spend(run, 1)
  if (depth > run.maxDepth) return (run.tooDeep ??= failedStep(new MaxDepthError(run.maxDepth)))
  switch (tree.type) {
    case 'leaf':
      return isBound(tree.value)
        ? { step: { type: 'leaf', value: { bound: tree.value, weight } }, size: 1 }
        : bindPath(run, tree.value, depth, weight)
    case 'neg':
    case 'fail':
    case 'empty':
      return { step: tree, size: 1 }
    case 'union':
      return bindUnion(run, tree.trees, depth)
    case 'alt':
      return bindAlt(run, tree.trees, depth, weight)
  }
}

/**
 * Work below which a bind does not share results: keying a path costs more than binding it
 * again, and a real dtab's bind (tens of units) finishes before it; a bind that grows past it
 * shares from then on. Either way the result is the same.
 */
const SHARE_AFTER = 64

/** A path's lookup, bound one level deeper; once per (depth, weight, path) in a bind. */
function bindPath(run: Run, path: Path, depth: number, weight: number | undefined): Sized {
  if (run.work < SHARE_AFTER) return lookupAndBind(run, path, depth, weight)
  const key = `${depth} ${String(weight)} ${JSON.stringify(path)}`
  const known = run.memo.get(key)
  if (known !== undefined) {
    spend(run, known.size)
    return known
  }
  const result = lookupAndBind(run, path, depth, weight)
  run.memo.set(key, result)
  return result
}

function lookupAndBind(run: Run, path: Path, depth: number, weight: number | undefined): Sized {
  spend(run, pathCost(path))
  const found = lookupPath(run, path)
  return found.type === 'pending' || found.type === 'failed'
    ? { step: found, size: 1 }
    : bindTree(run, found, depth + 1, weight)
}

/**
 * What looking a path up costs besides its step: matching, copying and keying it is linear in
 * its length, one unit per 16 elements, so that a path grown long by residuals is paid for while
 * a loop that extends its path one element a level still reaches the depth limit, as in Finagle.
 */
export function pathCost(path: Path): number {
  return path.length >> 4
}

function failedStep(error: Error): Sized {
  return { step: { type: 'failed', error }, size: 1 }
}

function bindAlt(
  run: Run,
  trees: readonly NameTree<Name>[],
  depth: number,
  weight: number | undefined,
): Sized {
  for (const child of trees) {
    const bound = bindTree(run, child, depth, weight)
    if (bound.step.type !== 'neg') return bound
  }
  return { step: NEG, size: 1 }
}

/**
 * Binds every member. Members come back simplified, so only this level needs Finagle's
 * `simplify` (drop Neg and Fail members, collapse one member): never a walk of the whole tree,
 * whose written-out size may be far larger than the shared one.
 */
function bindUnion(run: Run, members: readonly Weighted<Name>[], depth: number): Sized {
  if (members.length === 0) return { step: NEG, size: 1 }
  if (members.length === 1) {
    const only = members[0] as Weighted<Name>
    return bindTree(run, only.tree, depth, only.weight)
  }
  const kept: Weighted<BoundLeaf>[] = []
  let size = 1
  let anyTree = false
  let firstFailure: Sized | undefined
  for (const m of members) {
    const bound = bindTree(run, m.tree, depth, m.weight)
    const s = bound.step
    if (s.type === 'failed') firstFailure ??= bound
    if (s.type === 'failed' || s.type === 'pending') continue
    anyTree = true
    if (s.type === 'neg' || s.type === 'fail') continue
    kept.push({ weight: m.weight, tree: s })
    size += bound.size
  }
  if (!anyTree) return firstFailure ?? { step: PENDING, size: 1 }
  if (kept.length === 0) return { step: NEG, size: 1 }
  if (kept.length === 1) return { step: (kept[0] as Weighted<BoundLeaf>).tree, size: size - 1 }
  return { step: { type: 'union', trees: kept }, size }
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

/**
 * The number of nodes of `tree` written out, counting no further than just past `limit` (so a
 * huge tree costs no more than the limit to reject).
 */
export function treeSizeUpTo(tree: NameTree<unknown>, limit: number): number {
  let size = 0
  const stack: NameTree<unknown>[] = [tree]
  while (stack.length > 0 && size <= limit) {
    const t = stack.pop() as NameTree<unknown>
    size++
    if (t.type === 'alt') stack.push(...t.trees)
    else if (t.type === 'union') for (const w of t.trees) stack.push(w.tree)
  }
  return size
}
