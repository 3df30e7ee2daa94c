import { Cell, readDtab, type Dtab, type Var } from '../../dtabs/index.js'
import { errorMessage } from '../../lib/errors.js'
import type { Stored } from './backend.js'

/** What namerd knows of one namespace. */
export type NsState =
  /** Nothing read from the store yet. */
  | { readonly type: 'pending' }
  | { readonly type: 'absent' }
  | { readonly type: 'found'; readonly dtab: Dtab; readonly version: string; readonly rev: bigint }
  /** Stored text that does not parse (written to the store by something other than namerd). */
  | {
      readonly type: 'invalid'
      readonly error: string
      readonly version: string
      readonly rev: bigint
    }

const PENDING: NsState = Object.freeze({ type: 'pending' })
const ABSENT: NsState = Object.freeze({ type: 'absent' })

interface Entry {
  readonly state: NsState
  /** The rev of the report that set `state` (for absent: of the deletion or snapshot). */
  readonly rev: bigint
}

/**
 * The last known content of a store: every namespace's state, fed by the backend's watch and by
 * the results of this namerd's own writes, applied in store order (a report older than what is
 * held for a namespace is ignored). Observers get a Var per namespace and one for the list; a
 * Var changes only when the value does (a new version or text), never to pending, and an
 * outage changes nothing: only a snapshot the backend read completely can remove namespaces.
 */
export class NamespaceCache {
  private readonly entries = new Map<string, Entry>()
  private readonly cells = new Map<string, Cell<NsState>>()
  private readonly listCell = new Cell<readonly string[] | undefined>(undefined)
  /** A first snapshot arrived: namespaces not held are absent, not unknown. */
  loaded = false

  /** The current state of `ns`. */
  state(ns: string): NsState {
    const e = this.entries.get(ns)
    if (e !== undefined) return e.state
    return this.loaded ? ABSENT : PENDING
  }

  /** Namespaces holding a dtab (sorted), or undefined before the first snapshot. */
  names(): readonly string[] | undefined {
    return this.listCell.get()
  }

  /**
   * The live state of `ns`: `get()` always reads the current state; subscribers share one
   * Cell per namespace while any are subscribed.
   */
  observe(ns: string): Var<NsState> {
    return {
      constant: false,
      get: () => this.state(ns),
      subscribe: (listener) => this.cellFor(ns).subscribe(listener),
    }
  }

  private cellFor(ns: string): Cell<NsState> {
    let cell = this.cells.get(ns)
    if (cell === undefined) {
      const made = new Cell<NsState>(this.state(ns), () => () => {
        if (this.cells.get(ns) === made) this.cells.delete(ns)
      })
      this.cells.set(ns, made)
      cell = made
    }
    return cell
  }

  observeNames(): Var<readonly string[] | undefined> {
    return this.listCell
  }

  /** Applies one report: `value` undefined means absent as of `rev`. */
  apply(ns: string, value: Stored | undefined, rev: bigint): void {
    const held = this.entries.get(ns)
    if (held !== undefined && rev < held.rev) return
    if (held !== undefined && sameValue(held.state, value)) {
      this.entries.set(ns, { state: held.state, rev })
      return
    }
    const state = value === undefined ? ABSENT : parsed(value)
    this.entries.set(ns, { state, rev })
    this.cells.get(ns)?.set(state)
    if (this.loaded) this.publishNames()
  }

  /** A complete read of the store at `rev`: everything else held is absent as of `rev`. */
  snapshot(all: ReadonlyMap<string, Stored>, rev: bigint): void {
    for (const [ns, value] of all) this.apply(ns, value, value.rev)
    for (const ns of [...this.entries.keys()]) if (!all.has(ns)) this.apply(ns, undefined, rev)
    this.loaded = true
    for (const [ns, cell] of this.cells) cell.set(this.state(ns))
    this.publishNames()
  }

  private publishNames(): void {
    const names = [...this.entries].filter(([, e]) => e.state.type !== 'absent').map(([ns]) => ns)
    names.sort()
    const old = this.listCell.get()
    if (old !== undefined && old.length === names.length && old.every((n, i) => n === names[i]))
      return
    this.listCell.set(names)
  }
}

function sameValue(state: NsState, value: Stored | undefined): boolean {
  if (value === undefined) return state.type === 'absent'
  if (state.type !== 'found' && state.type !== 'invalid') return false
  return state.version === value.version && state.rev === value.rev
}

function parsed(value: Stored): NsState {
  const { version, rev } = value
  try {
    return { type: 'found', dtab: readDtab(value.text), version, rev }
  } catch (e) {
    return { type: 'invalid', error: errorMessage(e), version, rev }
  }
}
