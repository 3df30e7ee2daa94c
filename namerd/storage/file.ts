import type { Log } from '../../lib/log.js'
import type { Backend, BackendEvents, DeleteOutcome, Stored, WriteOutcome } from './backend.js'
import { StoreUnavailableError } from './errors.js'
import { writeAtomic } from './file-atomic.js'
import { encode, type Entry, type FileState } from './file-format.js'
import { longVersion, readLongVersion } from './version.js'

/** What the backend contract shows of an entry. */
function stored(e: Entry): Stored {
  return { text: e.text, version: longVersion(e.n), rev: e.rev }
}

/**
 * `io.l5d.file`: every namespace in one JSON file (file-format.ts) owned by this process.
 * Reads answer from memory, which always equals the file. Writes run one at a time; each
 * rewrites the file atomically (file-atomic.ts) and resolves only once it is durable. A failed
 * write changes nothing (memory, file, watchers) and rejects with `StoreIoError`. Versions as
 * linkerd's in-memory store: an 8-byte counter per namespace from 1; `rev` a persisted counter.
 */
export class FileBackend implements Backend {
  readonly kind = 'io.l5d.file'
  private readonly watchers = new Set<BackendEvents>()
  /** The last rev given out, failed writes included, so that no rev is given out twice. */
  private lastRev: bigint
  private queue: Promise<unknown> = Promise.resolve()
  private closed = false

  /** Use `openFileBackend` (file-open.ts), which loads `state` and takes the lock. */
  constructor(
    readonly path: string,
    private state: FileState,
    private readonly release: () => void,
    private readonly log: Log,
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

  create(ns: string, text: string): Promise<WriteOutcome> {
    return this.serial(async (held) => {
      if (held.has(ns)) return { type: 'exists' }
      return this.set(ns, text, 1n)
    })
  }

  update(ns: string, text: string, version: string): Promise<WriteOutcome> {
    return this.serial(async (held) => {
      const e = held.get(ns)
      if (e === undefined) return { type: 'not-found' }
      if (readLongVersion(version) !== e.n) return { type: 'version-mismatch' }
      return this.set(ns, text, e.n + 1n)
    })
  }

  put(ns: string, text: string): Promise<WriteOutcome> {
    return this.serial(async (held) => {
      return this.set(ns, text, (held.get(ns)?.n ?? 0n) + 1n)
    })
  }

  delete(ns: string): Promise<DeleteOutcome> {
    return this.serial(async (held) => {
      if (!held.has(ns)) return { type: 'not-found' }
      return { type: 'ok', rev: await this.commit(ns, undefined) }
    })
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

  private async set(ns: string, text: string, n: bigint): Promise<WriteOutcome> {
    const rev = await this.commit(ns, { text, n })
    return { type: 'ok', stored: stored({ text, n, rev }) }
  }

  /** Writes `ns` (undefined: deletes it) to the file, then to memory, then to watchers. */
  private async commit(ns: string, value: Omit<Entry, 'rev'> | undefined): Promise<bigint> {
    const rev = ++this.lastRev
    const entry = value === undefined ? undefined : { ...value, rev }
    const namespaces = new Map(this.state.namespaces)
    if (entry === undefined) namespaces.delete(ns)
    else namespaces.set(ns, entry)
    const next: FileState = { rev, namespaces }
    try {
      await writeAtomic(this.path, encode(next))
    } catch (e) {
      this.log.error('dtab file write failed', { path: this.path, ns, err: e })
      throw e
    }
    this.state = next
    const shown = entry === undefined ? undefined : stored(entry)
    for (const w of this.watchers) w.change(ns, shown, rev)
    return rev
  }
}
