import type { Etcd3, IKeyValue, IRangeResponse, IRequestOp } from 'etcd3'
import { errorMessage } from '../../../lib/errors.js'
import type { Log } from '../../../lib/log.js'
import {
  DEFAULT_HISTORY_SIZE,
  type Backend,
  type BackendEvents,
  type ChangeNote,
  type DeleteOutcome,
  type HistoryEntry,
  type Stored,
  type WriteOutcome,
} from '../backend.js'
import { Keys, openClient, storedOf, unavailable, type EtcdOptions } from './client.js'
import {
  entryId,
  entryValue,
  readHistory,
  trimHistory,
  type Change,
  type EtcdCalls,
} from './history.js'
import { Reachability } from './reach.js'
import { EtcdFollower } from './watch.js'
import { StoreUnavailableError } from '../errors.js'
import { decimalVersion, readDecimalVersion } from '../version.js'

/** A delete retries while other writers keep changing the namespace, at most this often. */
const DELETE_TRIES = 16

/**
 * `io.l5d.etcd` on etcd's v3 API: the dtab of `ns` is the value of the key
 * `<pathPrefix>/<ns>`, and its version (ETag) is the key's mod revision as base64 of its
 * decimal text, as linkerd's v2-API store encoded the modification index. Each write is one
 * transaction of the key and its history entry (history.ts), so concurrent writers (other
 * namerd replicas) never lose an update, and no change is kept without its entry.
 */
export class EtcdBackend implements Backend {
  readonly kind = 'io.l5d.etcd'
  private readonly client: Etcd3
  private readonly keys: Keys
  private readonly reach: Reachability
  private follower: EtcdFollower | undefined
  /** Trimmings under way (close waits for them). */
  private readonly trims = new Set<Promise<void>>()
  /** What history.ts uses to reach etcd. */
  private readonly etcd: EtcdCalls

  constructor(
    options: EtcdOptions,
    private readonly log: Log,
    private readonly historySize = DEFAULT_HISTORY_SIZE,
  ) {
    this.client = openClient(options)
    this.keys = new Keys(options.pathPrefix)
    this.reach = new Reachability(log, { hosts: options.hosts, pathPrefix: options.pathPrefix })
    this.etcd = { client: this.client, call: (f) => this.call(f) }
  }

  async list(): Promise<string[]> {
    const keys = await this.call(() => this.client.getAll().inRange(this.keys.namespaces).keys())
    return keys.flatMap((k) => this.keys.nsOf(k) ?? [])
  }

  async read(ns: string): Promise<Stored | undefined> {
    const kv = await this.readKv(ns)
    return kv === undefined ? undefined : storedOf(kv)
  }

  async create(ns: string, text: string, note: ChangeNote): Promise<WriteOutcome> {
    const key = this.keys.key(ns)
    const res = await this.call(() =>
      this.client
        .if(key, 'Create', '==', 0)
        .then(put(key, text), this.entry(ns, note, { text }))
        .commit(),
    )
    return res.succeeded ? this.written(ns, text, res.header.revision) : { type: 'exists' }
  }

  async update(ns: string, text: string, version: string, note: ChangeNote): Promise<WriteOutcome> {
    const rev = readDecimalVersion(version)
    // Mod == 0 holds for a missing key, so 0 is no version here either.
    if (rev === undefined || rev <= 0n) {
      return (await this.read(ns)) === undefined
        ? { type: 'not-found' }
        : { type: 'version-mismatch' }
    }
    const key = this.keys.key(ns)
    const res = await this.call(() =>
      this.client
        .if(key, 'Mod', '==', rev.toString())
        .then(put(key, text), this.entry(ns, note, { text }))
        .else(this.client.get(key))
        .commit(),
    )
    if (res.succeeded) return this.written(ns, text, res.header.revision)
    return heldBy(res.responses[0]) === undefined
      ? { type: 'not-found' }
      : { type: 'version-mismatch' }
  }

  async put(ns: string, text: string, note: ChangeNote): Promise<WriteOutcome> {
    const success = [put(this.keys.key(ns), text), this.entry(ns, note, { text })]
    const res = await this.call(() => this.client.kv.txn({ success }))
    return this.written(ns, text, res.header.revision)
  }

  /**
   * The entry of a deletion names the version deleted, so the key is deleted only at the mod
   * revision read just before (retried, with the value the failed compare read, while other
   * writers keep changing it).
   */
  async delete(ns: string, note: ChangeNote): Promise<DeleteOutcome> {
    const key = this.keys.key(ns)
    let held = await this.readKv(ns)
    for (let tries = 0; held !== undefined; tries++) {
      if (tries === DELETE_TRIES) {
        throw new StoreUnavailableError(this.kind, `${ns} kept changing while being deleted`)
      }
      const rev = held.mod_revision
      const entry = this.entry(ns, note, { deleted: BigInt(rev) })
      const res = await this.call(() =>
        this.client
          .if(key, 'Mod', '==', rev)
          .then({ request_delete_range: { key: Buffer.from(key) } }, entry)
          .else(this.client.get(key))
          .commit(),
      )
      if (res.succeeded) {
        this.trimLater(ns)
        return { type: 'ok', rev: BigInt(res.header.revision) }
      }
      held = heldBy(res.responses[0])
    }
    return { type: 'not-found' }
  }

  /** Entries not written by namerd are skipped (and logged). */
  async history(ns: string): Promise<HistoryEntry[]> {
    const { entries, skipped } = await readHistory(this.etcd, this.keys.history(ns))
    if (skipped > 0) this.log.warn('etcd: unreadable history entries skipped', { ns, skipped })
    return this.historySize > 0 ? entries.slice(-this.historySize) : []
  }

  watch(events: BackendEvents): () => void {
    if (this.follower !== undefined) throw new Error(`${this.kind}: watch() called twice`)
    this.reach.attach(events)
    const follower = new EtcdFollower(this.client, this.keys, events, this.reach, this.log)
    this.follower = follower
    follower.start()
    return () => {
      this.reach.attach(undefined)
      void follower.stop()
    }
  }

  async close(): Promise<void> {
    this.reach.attach(undefined)
    await this.follower?.stop()
    await Promise.allSettled([...this.trims])
    this.client.close()
  }

  private async readKv(ns: string): Promise<IKeyValue | undefined> {
    const res = await this.call(() => this.client.get(this.keys.key(ns)).exec())
    return res.kvs[0]
  }

  /** The put of a new history entry of `ns`, for the change's transaction. */
  private entry(ns: string, note: ChangeNote, change: Change): IRequestOp {
    return put(this.keys.history(ns) + entryId(note), entryValue(note, change))
  }

  /** A write's new value (the transaction's revision is the key's new mod revision). */
  private written(ns: string, text: string, revision: string): WriteOutcome {
    this.trimLater(ns)
    const rev = BigInt(revision)
    return { type: 'ok', stored: { text, version: decimalVersion(rev), rev } }
  }

  /** Trims `ns`'s history after a write, without failing or delaying it. */
  private trimLater(ns: string): void {
    const p = trimHistory(this.etcd, this.keys.history(ns), this.historySize).catch((e: unknown) =>
      this.log.warn('etcd: trimming dtab history failed', { ns, error: errorMessage(e) }),
    )
    this.trims.add(p)
    void p.finally(() => this.trims.delete(p))
  }

  /** Runs one etcd call: unusable etcd is StoreUnavailableError, and reachability follows. */
  private async call<T>(f: () => Promise<T>): Promise<T> {
    try {
      const out = await f()
      this.reach.set(true)
      return out
    } catch (e) {
      const mapped = unavailable(this.kind, e)
      if (mapped instanceof StoreUnavailableError) this.reach.set(false, mapped.message)
      throw mapped
    }
  }
}

function put(key: string, value: string): IRequestOp {
  return { request_put: { key: Buffer.from(key), value: Buffer.from(value) } }
}

/** The value the `else` branch's get read: undefined if the key was missing. */
function heldBy(op: { response_range?: IRangeResponse } | undefined): IKeyValue | undefined {
  return op?.response_range?.kvs[0]
}
