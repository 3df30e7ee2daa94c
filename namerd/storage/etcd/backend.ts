import type { Etcd3, IRangeResponse } from 'etcd3'
import type { Log } from '../../../lib/log.js'
import type {
  Backend,
  BackendEvents,
  DeleteOutcome,
  HistoryEntry,
  Stored,
  WriteOutcome,
} from '../backend.js'
import { Keys, openClient, storedOf, unavailable, type EtcdOptions } from './client.js'
import { Reachability } from './reach.js'
import { EtcdFollower } from './watch.js'
import { StoreUnavailableError } from '../errors.js'
import { decimalVersion, readDecimalVersion } from '../version.js'

/**
 * `io.l5d.etcd` on etcd's v3 API: the dtab of `ns` is the value of the key
 * `<pathPrefix>/<ns>`, and its version (ETag) is the key's mod revision as base64 of its
 * decimal text, as linkerd's v2-API store encoded the modification index. Writes are
 * single-key transactions, so concurrent writers (other namerd replicas) never lose an update.
 */
export class EtcdBackend implements Backend {
  readonly kind = 'io.l5d.etcd'
  private readonly client: Etcd3
  private readonly keys: Keys
  private readonly reach: Reachability
  private follower: EtcdFollower | undefined

  constructor(
    options: EtcdOptions,
    private readonly log: Log,
  ) {
    this.client = openClient(options)
    this.keys = new Keys(options.pathPrefix)
    this.reach = new Reachability(log, { hosts: options.hosts, pathPrefix: options.pathPrefix })
  }

  async list(): Promise<string[]> {
    const keys = await this.call(() => this.client.getAll().prefix(this.keys.dir).keys())
    return keys.flatMap((k) => this.keys.nsOf(k) ?? [])
  }

  async read(ns: string): Promise<Stored | undefined> {
    const res = await this.call(() => this.client.get(this.keys.key(ns)).exec())
    const kv = res.kvs[0]
    return kv === undefined ? undefined : storedOf(kv)
  }

  async create(ns: string, text: string): Promise<WriteOutcome> {
    const key = this.keys.key(ns)
    const res = await this.call(() =>
      this.client.if(key, 'Create', '==', 0).then(this.client.put(key).value(text)).commit(),
    )
    return res.succeeded ? written(text, res.header.revision) : { type: 'exists' }
  }

  async update(ns: string, text: string, version: string): Promise<WriteOutcome> {
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
        .then(this.client.put(key).value(text))
        .else(this.client.get(key))
        .commit(),
    )
    if (res.succeeded) return written(text, res.header.revision)
    const held = res.responses[0]?.response_range as IRangeResponse | undefined
    return held === undefined || held.kvs.length === 0
      ? { type: 'not-found' }
      : { type: 'version-mismatch' }
  }

  async put(ns: string, text: string): Promise<WriteOutcome> {
    const res = await this.call(() => this.client.put(this.keys.key(ns)).value(text).exec())
    return written(text, res.header.revision)
  }

  async delete(ns: string): Promise<DeleteOutcome> {
    const key = Buffer.from(this.keys.key(ns))
    const res = await this.call(() => this.client.kv.deleteRange({ key, prev_kv: true }))
    if (res.deleted === '0') return { type: 'not-found' }
    return { type: 'ok', rev: BigInt(res.header.revision) }
  }

  // TODO(history): to be stored atomically with each write (see Backend).
  async history(_ns: string): Promise<HistoryEntry[]> {
    return []
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
    this.client.close()
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

/** A write's new value: the revision of a single-key write is the key's new mod revision. */
function written(text: string, revision: string): WriteOutcome {
  const rev = BigInt(revision)
  return { type: 'ok', stored: { text, version: decimalVersion(rev), rev } }
}
