/**
 * The plain recursive binder of Finagle's `Namer.bind`, written out with no sharing and no
 * budget: the reference that dtabs/bind.ts (shared sub-trees, a work budget) must agree with on
 * every dtab it can bind within its budget. Exponential on hostile dtabs; tests only.
 */
import { lookup } from '../../dtabs/dtab.js'
import { MaxDepthError } from '../../dtabs/errors.js'
import { NEG, simplify, type NameTree, type Weighted } from '../../dtabs/name-tree.js'
import { isBound, type BoundLeaf, type Name } from '../../dtabs/name.js'
import { startsWith, type Path } from '../../dtabs/path.js'
import type { ActState } from '../../dtabs/activity.js'
import { MAX_DEPTH, type BindContext } from '../../dtabs/bind.js'

type Step = NameTree<BoundLeaf> | { type: 'pending' } | { type: 'failed'; error: Error }

class GaveUp {}

/** Shared: building an error (its stack) per too-deep branch would be most of the time. */
const TOO_DEEP = new MaxDepthError(MAX_DEPTH)

/**
 * Binds `path` the slow, obviously Finagle way; `undefined` if that takes more than `steps`
 * steps (a dtab whose work explodes, which only the budgeted binder can answer).
 */
export function referenceBind(
  ctx: BindContext,
  path: Path,
  steps = 10_000,
): ActState<NameTree<BoundLeaf>> | undefined {
  let left = steps
  const c: Ctx = { ...ctx, tick: () => (--left < 0 ? giveUp() : undefined) }
  try {
    const step = walk(c, { type: 'leaf', value: path }, 0, undefined)
    return step.type === 'pending' || step.type === 'failed' ? step : { type: 'ok', value: step }
  } catch (e) {
    if (e instanceof GaveUp) return undefined
    throw e
  }
}

type Ctx = BindContext & { readonly tick: () => void }

function giveUp(): never {
  throw new GaveUp()
}

function walk(ctx: Ctx, t: NameTree<Name>, depth: number, w: number | undefined): Step {
  ctx.tick()
  if (depth > MAX_DEPTH) return { type: 'failed', error: TOO_DEEP }
  if (t.type === 'union') return walkUnion(ctx, t.trees, depth)
  if (t.type === 'alt') {
    for (const child of t.trees) {
      const s = walk(ctx, child, depth, w)
      if (s.type !== 'neg') return s
    }
    return NEG
  }
  if (t.type !== 'leaf') return t
  if (isBound(t.value)) return { type: 'leaf', value: { bound: t.value, weight: w } }
  const found = lookupOnce(ctx, t.value)
  return found.type === 'pending' || found.type === 'failed'
    ? found
    : walk(ctx, found, depth + 1, w)
}

function walkUnion(ctx: Ctx, members: readonly Weighted<Name>[], depth: number): Step {
  if (members.length === 0) return NEG
  const only = members[0] as Weighted<Name>
  if (members.length === 1) return walk(ctx, only.tree, depth, only.weight)
  const values: Weighted<BoundLeaf>[] = []
  let failure: Step | undefined
  for (const m of members) {
    const s = walk(ctx, m.tree, depth, m.weight)
    if (s.type === 'failed') failure ??= s
    else if (s.type !== 'pending') values.push({ weight: m.weight, tree: s })
  }
  if (values.length > 0) return simplify({ type: 'union', trees: values })
  return failure ?? { type: 'pending' }
}

type Found = NameTree<Name> | { type: 'pending' } | { type: 'failed'; error: Error }

function lookupOnce(ctx: BindContext, path: Path): Found {
  const fromDtab = lookup(ctx.dtab, path)
  if (fromDtab.type !== 'neg') return fromDtab
  for (const { prefix, namer } of ctx.namers) {
    if (!startsWith(path, prefix)) continue
    const state = namer.lookup(path.slice(prefix.length)).get()
    if (state.type !== 'ok') return state
    if (state.value.type !== 'neg') return state.value
  }
  return NEG
}
