import type { Log } from '../../../lib/log.js'
import type {
  Backend,
  BackendEvents,
  ChangeNote,
  DeleteOutcome,
  HistoryEntry,
  Stored,
  WriteOutcome,
} from '../backend.js'
import { StoreUnavailableError } from '../errors.js'
import { writeAtomic } from './atomic.js'
import { StoreIoError } from './errors.js'
import { encodeWithin, type Entry, type FileState } from './format.js'
import { historyEntry, pastOf, remember } from './history.js'
import { longVersion, readLongVersion } from '../version.js'

/** What the backend contract shows of an entry. */
function stored(e: Entry): Stored {
  return { text: e.text, version: longVersion(e.n), rev: e.rev }
}

/**
 * The file's size past which history gives way: the oldest entries, store-wide, are dropped
 * (the dtabs never are). Every write rewrites the whole file, so its size is the cost of each
 * write, and it stays far below what Node can read back as one string (512 MiB).
 */
export const HISTORY_FILE_BUDGET_BYTES = 64 * 1024 * 1024

/**
 * `io.l5d.file`: every namespace and its history in one JSON file (format.ts, history.ts) owned
 * by this process. Reads answer from memory, which always equals the file. Writes run one at a
 * time; each rewrites the file atomically (atomic.ts), its history entry and the trimming of the
 * namespace's history to `historySize` included, and resolves only once it is durable. A failed
 * write changes nothing (memory, file, watchers) and rejects with `StoreIoError`, except when only
 * the final directory fsync fails: the file already holds the new content, so memory follows it
 * (logged as an error). Versions are 8-byte counters per namespace (linkerd's in-memory
 * encoding), starting at the rev of the write that created the namespace; `rev` is a persisted
 * counter of writes.
 */
export class FileBackend implements Backend {
  readonly kind = 'io.l5d.file'
  private readonly watchers = new Set<BackendEvents>()
  /** The last rev given out, failed writes included, so that no rev is given out twice. */
  private lastRev: bigint
  private queue: Promise<unknown> = Promise.resolve()
  private closed = false

  /** Use `openFileBackend` (open.ts), which loads `state` and takes the lock. */
  constructor(
    readonly path: string,
    private state: FileState,
    private readonly release: () => void,
    private readonly log: Log,
    private readonly historySize: number,
  ) {
    this.lastRev = state.rev
  }

  async list(): Promise<string[]> {
    this.checkOpen()
    return [...this.state.namespaces.keys()]
  }

  async read(ns: string): Promise<Stored | undefined> {
    this.checkOpen()
    const e = this.state.namespaces.get(ns)
    return e === undefined ? undefined : stored(e)
  }

  create(ns: string, text: string, note: ChangeNote): Promise<WriteOutcome> {
    return this.serial(async (held) => {
      if (held.has(ns)) return { type: 'exists' }
      return this.set(ns, text, undefined, note)
    })
  }

  update(ns: string, text: string, version: string, note: ChangeNote): Promise<WriteOutcome> {
    return this.serial(async (held) => {
      const e = held.get(ns)
      if (e === undefined) return { type: 'not-found' }
      if (readLongVersion(version) !== e.n) return { type: 'version-mismatch' }
      return this.set(ns, text, e.n + 1n, note)
    })
  }

  put(ns: string, text: string, note: ChangeNote): Promise<WriteOutcome> {
    return this.serial(async (held) => {
      const e = held.get(ns)
      return this.set(ns, text, e === undefined ? undefined : e.n + 1n, note)
    })
  }

  delete(ns: string, note: ChangeNote): Promise<DeleteOutcome> {
    return this.serial(async (held) => {
      if (!held.has(ns)) return { type: 'not-found' }
      return { type: 'ok', rev: await this.commit(ns, undefined, note) }
    })
  }

  async history(ns: string): Promise<HistoryEntry[]> {
    this.checkOpen()
    return (this.state.history.get(ns) ?? []).map(historyEntry)
  }

  watch(events: BackendEvents): () => void {
    this.watchers.add(events)
    events.reachable(true)
    events.snapshot(
      new Map([...this.state.namespaces].map(([ns, e]) => [ns, stored(e)])),
      this.state.rev,
    )
    return () => this.watchers.delete(events)
  }

  /** Waits for the write under way, fails the queued ones, and releases the lock. */
  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    this.watchers.clear()
    await this.queue
    this.release()
  }

  private checkOpen(): void {
    if (this.closed) throw new StoreUnavailableError(this.kind, `${this.path} is closed`)
  }

  /** Runs `f` after every earlier write, on the namespaces as they are then. */
  private serial<T>(f: (held: ReadonlyMap<string, Entry>) => Promise<T>): Promise<T> {
    const run = this.queue.then(() => {
      this.checkOpen()
      return f(this.state.namespaces)
    })
    this.queue = run.catch(() => {})
    return run
  }

  /**
   * Writes `ns` at version `n`; a new namespace (`n` undefined) starts at the write's rev, which
   * is above every version the name had before a delete, so a version read before a delete and
   * re-create can never match the new namespace.
   */
  private async set(
    ns: string,
    text: string,
    n: bigint | undefined,
    note: ChangeNote,
  ): Promise<WriteOutcome> {
    const rev = await this.commit(ns, (r) => ({ text, n: n ?? r }), note)
    const written = this.state.namespaces.get(ns) as Entry
    return { type: 'ok', stored: stored({ ...written, rev }) }
  }

  /**
   * Writes `ns` (`value` undefined: deletes it) and its history entry to the file, then memory,
   * then watchers.
   */
  private async commit(
    ns: string,
    value: ((rev: bigint) => Omit<Entry, 'rev'>) | undefined,
    note: ChangeNote,
  ): Promise<bigint> {
    const rev = ++this.lastRev
    const entry = value === undefined ? undefined : { ...value(rev), rev }
    const { namespaces: held, history } = this.state
    const namespaces = new Map(held)
    if (entry === undefined) namespaces.delete(ns)
    else namespaces.set(ns, entry)
    const n = (entry ?? (held.get(ns) as Entry)).n
    const past = pastOf(rev, n, entry?.text, note)
    const planned = { rev, namespaces, history: remember(history, ns, past, this.historySize) }
    const { state: next, text } = this.encode(planned)
    try {
      await writeAtomic(this.path, text)
    } catch (e) {
      this.log.error('dtab file write failed', { path: this.path, ns, err: e })
      // Renamed into place but not synced: the file has changed, so memory must follow it.
      if (!(e instanceof StoreIoError && e.applied)) throw e
    }
    this.state = next
    const shown = entry === undefined ? undefined : stored(entry)
    for (const w of this.watchers) w.change(ns, shown, rev)
    return rev
  }

  /** The file's text for `s`, within HISTORY_FILE_BUDGET_BYTES (logged when history gave way). */
  private encode(s: FileState): { readonly state: FileState; readonly text: string } {
    const fitted = encodeWithin(s, HISTORY_FILE_BUDGET_BYTES)
    const { dropped } = fitted
    if (dropped > 0) {
      const budgetBytes = HISTORY_FILE_BUDGET_BYTES
      this.log.warn('oldest dtab history dropped', { path: this.path, dropped, budgetBytes })
    }
    return fitted
  }
}
