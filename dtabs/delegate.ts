import type { ActState, Var } from './activity.js'
import { MAX_DEPTH, pathCost } from './bind.js'
import { matchingDentries, NOP_DENTRY, rewrite, type Dentry, type Dtab } from './dtab.js'
import { DelegationTooLargeError, MaxDepthError } from './errors.js'
import type { NameTree } from './name-tree.js'
import { isBound, type Bound, type MountedNamer, type Name } from './name.js'
import { ROOT, startsWith, type Path } from './path.js'

/**
 * linkerd's `DelegateTree`: the explanation of a delegation. Every node carries the path
 * being resolved at that point and the dentry that produced it (`NOP_DENTRY` for none).
 * `delegate` is one rewrite step; `alt` several matching dentries (or an Alt destination).
 */
export type DelegateTree =
  | {
      readonly type: 'delegate'
      readonly path: Path
      readonly dentry: Dentry
      readonly tree: DelegateTree
    }
  | {
      readonly type: 'alt'
      readonly path: Path
      readonly dentry: Dentry
      readonly trees: readonly DelegateTree[]
    }
  | {
      readonly type: 'union'
      readonly path: Path
      readonly dentry: Dentry
      readonly trees: readonly { readonly weight: number; readonly tree: DelegateTree }[]
    }
  | { readonly type: 'leaf'; readonly path: Path; readonly dentry: Dentry; readonly name: Name }
  | { readonly type: 'neg' | 'fail' | 'empty'; readonly path: Path; readonly dentry: Dentry }
  | {
      readonly type: 'exception'
      readonly path: Path
      readonly dentry: Dentry
      readonly error: Error
    }

export interface DelegateContext {
  readonly dtab: Dtab
  readonly namers: readonly MountedNamer[]
  /** Most nodes the explanation may have; a dtab whose alternatives explode is an error. */
  readonly maxNodes?: number
}

/** Default bound on the nodes of one explanation. */
export const MAX_NODES = 100_000

class NotReady {
  constructor(readonly state: { type: 'pending' } | { type: 'failed'; error: Error }) {}
}

interface Run {
  readonly ctx: DelegateContext
  readonly deps: Var<unknown>[]
  nodes: number
  /** One error for every too-deep branch: building one per branch (its stack) is the cost. */
  tooDeep?: MaxDepthError
}

/**
 * Explains how `path` resolves (linkerd's `Delegator`, namerd's `/api/1/delegate`): every
 * matching dentry and every alternative is followed eagerly, then the tree is simplified.
 * Pending if a namer is not ready (`deps` lists what to wait for); failed on a loop that is not
 * under an alternative (a loop inside one becomes an `exception` node).
 */
export function delegate(
  ctx: DelegateContext,
  path: Path,
  deps: Var<unknown>[] = [],
): ActState<DelegateTree> {
  const run: Run = { ctx, deps, nodes: 0 }
  try {
    const start: DelegateTree = { type: 'leaf', path: ROOT, dentry: NOP_DENTRY, name: path }
    return { type: 'ok', value: simplifyDelegate(bindNode(run, start, 0)) }
  } catch (e) {
    if (e instanceof NotReady) return e.state
    if (e instanceof MaxDepthError || e instanceof DelegationTooLargeError) {
      return { type: 'failed', error: e }
    }
    throw e
  }
}

function bindNode(run: Run, node: DelegateTree, depth: number): DelegateTree {
  if (depth > MAX_DEPTH) throw (run.tooDeep ??= new MaxDepthError(MAX_DEPTH))
  spend(run, 1)
  switch (node.type) {
    case 'leaf':
      if (isBound(node.name)) return node
      spend(run, pathCost(node.name))
      return bindNode(run, lookupNode(run, node.name, node.dentry), depth + 1)
    case 'delegate':
      return { ...node, tree: bindNode(run, node.tree, depth) }
    case 'alt':
      if (node.trees.length === 0) return { type: 'neg', path: node.path, dentry: node.dentry }
      if (node.trees.length === 1) return single(run, node, node.trees[0] as DelegateTree, depth)
      return { ...node, trees: node.trees.map((t) => bindGuarded(run, node, t, depth)) }
    case 'union':
      if (node.trees.length === 0) return { type: 'neg', path: node.path, dentry: node.dentry }
      if (node.trees.length === 1) return single(run, node, firstMember(node.trees), depth)
      return {
        ...node,
        trees: node.trees.map((w) => ({
          weight: w.weight,
          tree: bindGuarded(run, node, w.tree, depth),
        })),
      }
    default:
      return node
  }
}

function spend(run: Run, cost: number): void {
  run.nodes += cost
  const limit = run.ctx.maxNodes ?? MAX_NODES
  if (run.nodes > limit) throw new DelegationTooLargeError(limit)
}

function firstMember(trees: readonly { readonly tree: DelegateTree }[]): DelegateTree {
  return (trees[0] as { readonly tree: DelegateTree }).tree
}

function single(run: Run, parent: DelegateTree, child: DelegateTree, depth: number): DelegateTree {
  return {
    type: 'delegate',
    path: parent.path,
    dentry: parent.dentry,
    tree: bindNode(run, child, depth),
  }
}

/** Binds one child of a several-child Alt or Union; its failure becomes an exception node. */
function bindGuarded(
  run: Run,
  parent: DelegateTree,
  child: DelegateTree,
  depth: number,
): DelegateTree {
  try {
    return bindNode(run, child, depth)
  } catch (e) {
    if (!(e instanceof MaxDepthError)) throw e
    return { type: 'exception', path: parent.path, dentry: parent.dentry, error: e }
  }
}

/**
 * One lookup of `q`, reached through dentry `via`: the matching dentries (last first), each
 * destination converted to a node labelled with `q` and that dentry; with no match, the
 * namers, whose answer is labelled with `q` and `via`.
 */
function lookupNode(run: Run, q: Path, via: Dentry): DelegateTree {
  const matches = matchingDentries(run.ctx.dtab, q)
  if (matches.length === 0) return askNamers(run, q, via)
  const trees = matches.map((d) => fromNameTree(rewrite(d, q), q, d, true))
  if (trees.length === 1)
    return { type: 'delegate', path: q, dentry: via, tree: trees[0] as DelegateTree }
  return { type: 'alt', path: q, dentry: via, trees }
}

function askNamers(run: Run, q: Path, via: Dentry): DelegateTree {
  for (const { prefix, namer } of run.ctx.namers) {
    if (!startsWith(q, prefix)) continue
    const activity = namer.lookup(q.slice(prefix.length))
    if (!activity.constant) run.deps.push(activity)
    const state = activity.get()
    if (state.type === 'failed')
      return { type: 'exception', path: q, dentry: via, error: state.error }
    if (state.type === 'pending') throw new NotReady(state)
    if (state.value.type !== 'neg') return fromNameTree(state.value, q, via, false)
  }
  return { type: 'neg', path: q, dentry: via }
}

/**
 * A name tree as delegate nodes labelled with `path` and `dentry`. For a dentry's destination
 * (`fromDtab`), an explicit `~` gets the empty path, as linkerd shows it (`"path": "~"`).
 */
function fromNameTree(
  tree: NameTree<Name>,
  path: Path,
  dentry: Dentry,
  fromDtab: boolean,
): DelegateTree {
  switch (tree.type) {
    case 'leaf':
      return { type: 'leaf', path, dentry, name: tree.value }
    case 'neg':
      return { type: 'neg', path: fromDtab ? ROOT : path, dentry }
    case 'fail':
    case 'empty':
      return { type: tree.type, path, dentry }
    case 'alt':
      return {
        type: 'alt',
        path,
        dentry,
        trees: tree.trees.map((t) => fromNameTree(t, path, dentry, fromDtab)),
      }
    case 'union':
      return {
        type: 'union',
        path,
        dentry,
        trees: tree.trees.map((w) => ({
          weight: w.weight,
          tree: fromNameTree(w.tree, path, dentry, fromDtab),
        })),
      }
  }
}

/**
 * linkerd's `DelegateTree.simplify`: a Delegate whose (simplified) child resolves the same
 * path takes the child's place; Alts splice in child Alts of the same path; zero-child nodes
 * are Neg and one-child nodes are Delegates.
 */
export function simplifyDelegate(node: DelegateTree): DelegateTree {
  switch (node.type) {
    case 'delegate':
      return simplifyStep(node.path, node.dentry, node.tree)
    case 'alt': {
      if (node.trees.length === 0) return { type: 'neg', path: node.path, dentry: node.dentry }
      if (node.trees.length === 1)
        return simplifyStep(node.path, node.dentry, node.trees[0] as DelegateTree)
      const trees = node.trees
        .map(simplifyDelegate)
        .flatMap((t) => (t.type === 'alt' && samePath(t.path, node.path) ? t.trees : [t]))
      return { ...node, trees }
    }
    case 'union':
      if (node.trees.length === 0) return { type: 'neg', path: node.path, dentry: node.dentry }
      if (node.trees.length === 1)
        return simplifyStep(node.path, node.dentry, firstMember(node.trees))
      return {
        ...node,
        trees: node.trees.map((w) => ({ weight: w.weight, tree: simplifyDelegate(w.tree) })),
      }
    default:
      return node
  }
}

function simplifyStep(path: Path, dentry: Dentry, child: DelegateTree): DelegateTree {
  const s = simplifyDelegate(child)
  const terminal = s.type === 'neg' || s.type === 'fail' || s.type === 'empty'
  if (!terminal && samePath(s.path, path)) return { ...s, dentry }
  return { type: 'delegate', path, dentry, tree: s }
}

function samePath(a: Path, b: Path): boolean {
  return a.length === b.length && startsWith(a, b)
}

/** Every bound name in an explanation (to wait for their addresses before rendering). */
export function boundNames(node: DelegateTree, out: Bound[] = []): Bound[] {
  switch (node.type) {
    case 'leaf':
      if (isBound(node.name)) out.push(node.name)
      break
    case 'delegate':
      boundNames(node.tree, out)
      break
    case 'alt':
      for (const t of node.trees) boundNames(t, out)
      break
    case 'union':
      for (const w of node.trees) boundNames(w.tree, out)
      break
    default:
      break
  }
  return out
}
