import { showDtab, type Dtab, type Var } from '../../dtabs/index.js'
import type {
  Backend,
  ChangeNote,
  DeleteOutcome,
  HistoryEntry,
  Stored,
  WriteOutcome,
} from './backend.js'
import { StoreUnavailableError } from './errors.js'
import { NamespaceCache, type NsState } from './namespace-cache.js'

/** A dtab with the version to send back in `If-Match`. */
export interface VersionedDtab {
  readonly dtab: Dtab
  readonly version: string
}

/** Who writes and why (ChangeNote without its time, which the store stamps). */
export type Writer = Omit<ChangeNote, 'at'>

export type CreateResult = 'ok' | 'exists'
export type UpdateResult = 'ok' | 'not-found' | 'version-mismatch'
export type DeleteResult = 'ok' | 'not-found'

export interface DtabStoreOptions {
  /** Longest a write waits for the store before failing with 503 (default 4.5 s: within 5 s). */
  readonly writeTimeoutMs?: number
  /** Longest a read waits before answering from the last known content (default 1 s). */
  readonly readTimeoutMs?: number
  /** Store operations and their outcomes, for metrics. */
  readonly onOperation?: (op: string, outcome: string) => void
}

/**
 * namerd's view of one store, the same for every backend: writes go to the store with a
 * deadline (a store that does not answer is a 503, never a hang); reads ask the store and fall
 * back to the last known content when it is unreachable; observers follow the backend's watch.
 * An outage never makes a dtab look deleted or empty, and when the store returns the backend's
 * fresh snapshot brings everything up to date.
 */
export class DtabStore {
  private readonly cache = new NamespaceCache()
  private readonly writeTimeoutMs: number
  private readonly readTimeoutMs: number
  private readonly onOperation: (op: string, outcome: string) => void
  private stopWatch: (() => void) | undefined
  private up = false

  constructor(
    readonly backend: Backend,
    options: DtabStoreOptions = {},
  ) {
    this.writeTimeoutMs = options.writeTimeoutMs ?? 4500
    this.readTimeoutMs = options.readTimeoutMs ?? 1000
    this.onOperation = options.onOperation ?? (() => {})
    this.stopWatch = backend.watch({
      snapshot: (all, rev) => this.cache.snapshot(all, rev),
      change: (ns, value, rev) => this.cache.apply(ns, value, rev),
      reachable: (up) => (this.up = up),
    })
  }

  get kind(): string {
    return this.backend.kind
  }

  /** Whether the whole store has been read at least once (namerd is then ready). */
  get loaded(): boolean {
    return this.cache.loaded
  }

  /** Whether the store answered its last contact (for metrics). */
  get reachable(): boolean {
    return this.up
  }

  /** The namespaces, sorted. */
  async list(): Promise<string[]> {
    const names = await this.read(
      'list',
      () => this.backend.list(),
      () => this.cache.names(),
    )
    return [...names].sort()
  }

  /** What the store holds for `ns` (never pending: unknown and unreachable is a 503). */
  async get(ns: string): Promise<NsState> {
    const fromStore = async (): Promise<NsState> => {
      const stored = await this.backend.read(ns)
      // A read that finds nothing is not remembered: asking for many missing names costs nothing.
      if (stored !== undefined) this.cache.apply(ns, stored, stored.rev)
      return stored === undefined ? { type: 'absent' } : this.cache.state(ns)
    }
    const known = (): NsState | undefined => {
      const s = this.cache.state(ns)
      return s.type === 'pending' ? undefined : s
    }
    return this.read('read', fromStore, known)
  }

  async create(ns: string, dtab: Dtab, by: Writer = {}): Promise<CreateResult> {
    const note = noteOf(by)
    const out = await this.write('create', ns, () => this.backend.create(ns, showDtab(dtab), note))
    if (out !== 'ok' && out !== 'exists') throw new Error(`${this.kind}: create answered ${out}`)
    return out
  }

  async update(ns: string, dtab: Dtab, version: string, by: Writer = {}): Promise<UpdateResult> {
    const note = noteOf(by)
    const out = await this.write('update', ns, () =>
      this.backend.update(ns, showDtab(dtab), version, note),
    )
    if (out === 'exists') throw new Error(`${this.kind}: update answered ${out}`)
    return out
  }

  /** Creates or replaces `ns`. */
  async put(ns: string, dtab: Dtab, by: Writer = {}): Promise<'ok'> {
    const note = noteOf(by)
    const out = await this.write('put', ns, () => this.backend.put(ns, showDtab(dtab), note))
    if (out !== 'ok') throw new Error(`${this.kind}: put answered ${out}`)
    return out
  }

  async delete(ns: string, by: Writer = {}): Promise<DeleteResult> {
    const note = noteOf(by)
    const out: DeleteOutcome = await this.deadline('delete', this.writeTimeoutMs, () =>
      this.backend.delete(ns, note),
    )
    if (out.type === 'ok') this.cache.apply(ns, undefined, out.rev)
    return out.type
  }

  /**
   * `ns`'s past values, oldest first (the store's own record: an unreachable store is a
   * StoreUnavailableError, never an empty history).
   */
  async history(ns: string): Promise<HistoryEntry[]> {
    return this.deadline('history', this.readTimeoutMs, () => this.backend.history(ns))
  }

  /** The live state of `ns` (pending until the store has been read once). */
  observe(ns: string): Var<NsState> {
    return this.cache.observe(ns)
  }

  /** The live sorted list of namespaces (undefined until the store has been read once). */
  observeNames(): Var<readonly string[] | undefined> {
    return this.cache.observeNames()
  }

  /** Stops the watch and closes the backend. Observers keep their last values. */
  async close(): Promise<void> {
    this.stopWatch?.()
    this.stopWatch = undefined
    await this.backend.close()
  }

  private async write(
    op: string,
    ns: string,
    f: () => Promise<WriteOutcome>,
  ): Promise<WriteOutcome['type']> {
    const out = await this.deadline(op, this.writeTimeoutMs, f)
    if (out.type === 'ok') this.apply(ns, out.stored)
    return out.type
  }

  private apply(ns: string, stored: Stored): void {
    this.cache.apply(ns, stored, stored.rev)
  }

  /** Asks the store; when it cannot answer, the last known value if there is one. */
  private async read<T>(op: string, ask: () => Promise<T>, known: () => T | undefined): Promise<T> {
    try {
      return await this.deadline(op, this.readTimeoutMs, ask)
    } catch (e) {
      const last = e instanceof StoreUnavailableError ? known() : undefined
      if (last === undefined) throw e
      this.onOperation(op, 'stale')
      return last
    }
  }

  /** Runs `f`, failing with StoreUnavailableError after `ms`; counts the outcome. */
  private async deadline<T>(op: string, ms: number, f: () => Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        reject(new StoreUnavailableError(this.kind, `no answer within ${ms} ms`))
      }, ms)
    })
    try {
      const out = await Promise.race([f(), late])
      this.onOperation(op, outcomeName(out))
      return out
    } catch (e) {
      this.onOperation(op, e instanceof StoreUnavailableError ? 'unavailable' : 'error')
      throw e
    } finally {
      clearTimeout(timer)
    }
  }
}

function noteOf(by: Writer): ChangeNote {
  return { at: Date.now(), ...by }
}

function outcomeName(out: unknown): string {
  if (typeof out === 'object' && out !== null && 'type' in out && typeof out.type === 'string')
    return out.type
  return 'ok'
}
