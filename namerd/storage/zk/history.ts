import zookeeper from 'node-zookeeper-client'
import { errorMessage } from '../../../lib/errors.js'
import type { Log } from '../../../lib/log.js'
import type { HistoryEntry } from '../backend.js'
import { orOnCode } from './client.js'
import { decodeEntry, encodeEntry } from './history-entry.js'
import { zxid, type ZkLayout } from './layout.js'
import type { ZkOp } from './multi.js'

const { NO_NODE } = zookeeper.Exception
/** An entry's name: ZooKeeper's 10-digit counter of the parent, strictly increasing. */
const ENTRY = /^e-[0-9]{10}$/
/** Entries read or removed at once (a history of thousands is not asked of the server at once). */
const BATCH = 16

/**
 * The namespaces' history beside linkerd's layout: `<prefix>.history/<ns>/e-<counter>`, a
 * persistent sequential znode per change (JSON, history-entry.ts), created in the same multi as
 * the change. `<prefix>.history` is a sibling of the prefix, so never listed as a namespace.
 * Its order (`rev`) is the entry's czxid: the zxid of the change itself.
 */
export class ZkHistory {
  private readonly trims = new Set<Promise<void>>()
  private closed = false

  constructor(
    private readonly layout: ZkLayout,
    private readonly size: number,
    private readonly log: Log,
  ) {}

  /** The parent of `ns`'s entries. */
  parent(ns: string): string {
    return `${this.layout.prefix}.history/${ns}`
  }

  /** The multi operation that records `entry` in `ns`'s history. */
  entryOp(ns: string, entry: Omit<HistoryEntry, 'rev'>): ZkOp {
    const { acls } = this.layout
    return {
      type: 'createSequential',
      path: `${this.parent(ns)}/e-`,
      data: encodeEntry(entry),
      acls,
    }
  }

  /** Creates `ns`'s parent (and `<prefix>.history`) with the configured ACLs, if missing. */
  ensureParent(ns: string): Promise<void> {
    return this.layout.calls.mkdirp(this.parent(ns), this.layout.acls)
  }

  /** `ns`'s newest `size` entries, oldest first; a corrupt entry is left out (logged). */
  async read(ns: string): Promise<HistoryEntry[]> {
    const names = (await this.names(ns)).slice(-this.size)
    const read = await inBatches(names, (name) => this.readEntry(ns, name))
    return read.filter((e) => e !== undefined)
  }

  /** Trims `ns` to its newest `size` entries, in the background (a failure is only logged). */
  trimLater(ns: string): void {
    const trim = this.trim(ns)
      .catch((e: unknown) => {
        if (this.closed) return
        const error = errorMessage(e)
        this.log.warn('ZooKeeper history not trimmed; the next write of it tries again', {
          ns,
          error,
        })
      })
      .finally(() => this.trims.delete(trim))
    this.trims.add(trim)
  }

  /** Stops logging trim failures; resolves once no trim runs (after the calls were aborted). */
  async close(): Promise<void> {
    this.closed = true
    await Promise.all([...this.trims])
  }

  private async trim(ns: string): Promise<void> {
    const names = await this.names(ns)
    const old = names.slice(0, Math.max(0, names.length - this.size))
    const remove = (name: string): Promise<void> =>
      orOnCode(this.layout.calls.remove(`${this.parent(ns)}/${name}`), NO_NODE, undefined)
    await inBatches(old, remove)
  }

  /** The names of `ns`'s entries, oldest first (other children are ignored). */
  private async names(ns: string): Promise<string[]> {
    const got = await orOnCode(this.layout.calls.getChildren(this.parent(ns)), NO_NODE, undefined)
    return (got?.children ?? []).filter((name) => ENTRY.test(name)).sort()
  }

  private async readEntry(ns: string, name: string): Promise<HistoryEntry | undefined> {
    const path = `${this.parent(ns)}/${name}`
    const got = await orOnCode(this.layout.calls.getData(path), NO_NODE, undefined)
    if (got === undefined) return undefined // trimmed since the listing
    const entry = decodeEntry(got.data, zxid(got.stat.czxid))
    if (typeof entry !== 'string') return entry
    this.log.warn('a ZooKeeper history entry is corrupt; it is left out', { path, error: entry })
    return undefined
  }
}

/** `f` of every item, at most BATCH at a time, results in order. */
async function inBatches<T, R>(items: readonly T[], f: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = []
  for (let i = 0; i < items.length; i += BATCH) {
    out.push(...(await Promise.all(items.slice(i, i + BATCH).map(f))))
  }
  return out
}
