import type {
  Backend,
  BackendEvents,
  ChangeNote,
  DeleteOutcome,
  HistoryEntry,
  Stored,
  WriteOutcome,
} from '../backend.js'
import { DEFAULT_HISTORY_SIZE } from '../backend.js'
import { longVersion, readLongVersion } from '../version.js'

/**
 * `io.l5d.inMemory`: dtabs in this process only (gone on restart, not shared between
 * replicas), with their history. Versions as linkerd's: an 8-byte counter per namespace
 * starting at 1.
 */
export class MemoryBackend implements Backend {
  readonly kind = 'io.l5d.inMemory'
  private readonly data = new Map<string, Stored & { readonly n: bigint }>()
  private readonly past = new Map<string, HistoryEntry[]>()
  private readonly watchers = new Set<BackendEvents>()
  private rev = 0n

  /** `preload`: namespace → dtab text (config `namespaces`), each at version 1. */
  constructor(
    preload: ReadonlyMap<string, string> = new Map(),
    private readonly historySize = DEFAULT_HISTORY_SIZE,
  ) {
    const at = Date.now()
    for (const [ns, text] of preload) this.store(ns, text, 1n, { at, message: 'preloaded' })
  }

  async list(): Promise<string[]> {
    return [...this.data.keys()]
  }

  async read(ns: string): Promise<Stored | undefined> {
    return this.data.get(ns)
  }

  async create(ns: string, text: string, note: ChangeNote): Promise<WriteOutcome> {
    if (this.data.has(ns)) return { type: 'exists' }
    return { type: 'ok', stored: this.store(ns, text, 1n, note) }
  }

  async update(ns: string, text: string, version: string, note: ChangeNote): Promise<WriteOutcome> {
    const held = this.data.get(ns)
    if (held === undefined) return { type: 'not-found' }
    if (readLongVersion(version) !== held.n) return { type: 'version-mismatch' }
    return { type: 'ok', stored: this.store(ns, text, held.n + 1n, note) }
  }

  async put(ns: string, text: string, note: ChangeNote): Promise<WriteOutcome> {
    const n = (this.data.get(ns)?.n ?? 0n) + 1n
    return { type: 'ok', stored: this.store(ns, text, n, note) }
  }

  async delete(ns: string, note: ChangeNote): Promise<DeleteOutcome> {
    const held = this.data.get(ns)
    if (held === undefined) return { type: 'not-found' }
    this.data.delete(ns)
    const rev = ++this.rev
    this.remember(ns, { ...note, version: held.version, rev })
    for (const w of this.watchers) w.change(ns, undefined, rev)
    return { type: 'ok', rev }
  }

  async history(ns: string): Promise<HistoryEntry[]> {
    return [...(this.past.get(ns) ?? [])]
  }

  watch(events: BackendEvents): () => void {
    this.watchers.add(events)
    events.reachable(true)
    events.snapshot(new Map(this.data), this.rev)
    return () => this.watchers.delete(events)
  }

  async close(): Promise<void> {
    this.watchers.clear()
  }

  private store(ns: string, text: string, n: bigint, note: ChangeNote): Stored {
    const stored = { text, version: longVersion(n), rev: ++this.rev, n }
    this.data.set(ns, stored)
    this.remember(ns, { ...note, version: stored.version, text, rev: stored.rev })
    for (const w of this.watchers) w.change(ns, stored, stored.rev)
    return stored
  }

  private remember(ns: string, entry: HistoryEntry): void {
    const entries = this.past.get(ns) ?? []
    entries.push(entry)
    if (entries.length > this.historySize) entries.splice(0, entries.length - this.historySize)
    this.past.set(ns, entries)
  }
}
