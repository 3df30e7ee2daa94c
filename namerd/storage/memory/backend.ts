import type { Backend, BackendEvents, DeleteOutcome, Stored, WriteOutcome } from '../backend.js'
import { longVersion, readLongVersion } from '../version.js'

/**
 * `io.l5d.inMemory`: dtabs in this process only (gone on restart, not shared between
 * replicas). Versions as linkerd's: an 8-byte counter per namespace starting at 1.
 */
export class MemoryBackend implements Backend {
  readonly kind = 'io.l5d.inMemory'
  private readonly data = new Map<string, Stored & { readonly n: bigint }>()
  private readonly watchers = new Set<BackendEvents>()
  private rev = 0n

  /** `preload`: namespace → dtab text (config `namespaces`), each at version 1. */
  constructor(preload: ReadonlyMap<string, string> = new Map()) {
    for (const [ns, text] of preload) this.store(ns, text, 1n)
  }

  async list(): Promise<string[]> {
    return [...this.data.keys()]
  }

  async read(ns: string): Promise<Stored | undefined> {
    return this.data.get(ns)
  }

  async create(ns: string, text: string): Promise<WriteOutcome> {
    if (this.data.has(ns)) return { type: 'exists' }
    return { type: 'ok', stored: this.store(ns, text, 1n) }
  }

  async update(ns: string, text: string, version: string): Promise<WriteOutcome> {
    const held = this.data.get(ns)
    if (held === undefined) return { type: 'not-found' }
    if (readLongVersion(version) !== held.n) return { type: 'version-mismatch' }
    return { type: 'ok', stored: this.store(ns, text, held.n + 1n) }
  }

  async put(ns: string, text: string): Promise<WriteOutcome> {
    const n = (this.data.get(ns)?.n ?? 0n) + 1n
    return { type: 'ok', stored: this.store(ns, text, n) }
  }

  async delete(ns: string): Promise<DeleteOutcome> {
    if (!this.data.delete(ns)) return { type: 'not-found' }
    const rev = ++this.rev
    for (const w of this.watchers) w.change(ns, undefined, rev)
    return { type: 'ok', rev }
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

  private store(ns: string, text: string, n: bigint): Stored {
    const stored = { text, version: longVersion(n), rev: ++this.rev, n }
    this.data.set(ns, stored)
    for (const w of this.watchers) w.change(ns, stored, stored.rev)
    return stored
  }
}
