import { Cell, type ActState, type Activity, type Var } from './activity.js'
import { bindOnce, type BindContext } from './bind.js'
import type { NameTree } from './name-tree.js'
import type { BoundLeaf } from './name.js'
import { pathEquals, type Path } from './path.js'

type BoundTree = NameTree<BoundLeaf>

/**
 * A live binding of one path: an Activity of its bound tree that follows the namers. While it
 * has subscribers it watches every changeable activity the last bind consulted and rebinds
 * (once per tick, however many changed) when one changes; subscribers hear only real changes.
 * Unobserved, `get()` binds afresh each time.
 */
export class Binding implements Activity<BoundTree> {
  readonly constant = false
  private readonly cell: Cell<ActState<BoundTree>>
  private watched = new Map<Var<unknown>, () => void>()
  private rebindScheduled = false

  constructor(
    private readonly ctx: BindContext,
    readonly path: Path,
  ) {
    this.cell = new Cell<ActState<BoundTree>>({ type: 'pending' }, () => this.start())
  }

  get(): ActState<BoundTree> {
    if (this.cell.observers > 0) return this.cell.get()
    return bindOnce(this.ctx, this.path)
  }

  subscribe(listener: (value: ActState<BoundTree>) => void): () => void {
    return this.cell.subscribe(listener)
  }

  private start(): () => void {
    this.rebind()
    return () => this.stop()
  }

  private stop(): void {
    for (const unsubscribe of this.watched.values()) unsubscribe()
    this.watched = new Map()
  }

  private rebind(): void {
    const deps: Var<unknown>[] = []
    const next = bindOnce(this.ctx, this.path, deps)
    if (!sameState(this.cell.get(), next)) this.cell.set(next)
    this.watch(deps)
  }

  /** Subscribes to the new dependencies before dropping the old, so shared sources stay up. */
  private watch(deps: readonly Var<unknown>[]): void {
    const next = new Map<Var<unknown>, () => void>()
    for (const dep of deps) {
      if (next.has(dep)) continue
      next.set(dep, this.watched.get(dep) ?? dep.subscribe(() => this.scheduleRebind()))
    }
    for (const [dep, unsubscribe] of this.watched) if (!next.has(dep)) unsubscribe()
    this.watched = next
  }

  private scheduleRebind(): void {
    if (this.rebindScheduled) return
    this.rebindScheduled = true
    queueMicrotask(() => {
      this.rebindScheduled = false
      if (this.cell.observers > 0) this.rebind()
    })
  }
}

/** True if two bind results would route identically (same tree, same bound names). */
export function sameState(a: ActState<BoundTree>, b: ActState<BoundTree>): boolean {
  if (a.type === 'ok' && b.type === 'ok') return sameTree(a.value, b.value)
  if (a.type === 'failed' && b.type === 'failed') return a.error.message === b.error.message
  return a.type === b.type
}

/** Structural equality of bound trees; leaves are equal when id, residual and weight are. */
export function sameTree(a: BoundTree, b: BoundTree): boolean {
  switch (a.type) {
    case 'leaf':
      return b.type === 'leaf' && sameLeaf(a.value, b.value)
    case 'alt':
      return (
        b.type === 'alt' &&
        a.trees.length === b.trees.length &&
        a.trees.every((t, i) => sameTree(t, b.trees[i] as BoundTree))
      )
    case 'union':
      return (
        b.type === 'union' &&
        a.trees.length === b.trees.length &&
        a.trees.every((w, i) => {
          const v = b.trees[i]
          return v !== undefined && w.weight === v.weight && sameTree(w.tree, v.tree)
        })
      )
    default:
      return a.type === b.type
  }
}

function sameLeaf(a: BoundLeaf, b: BoundLeaf): boolean {
  return (
    a.weight === b.weight &&
    a.bound.addr === b.bound.addr &&
    pathEquals(a.bound.id, b.bound.id) &&
    pathEquals(a.bound.path, b.bound.path)
  )
}
