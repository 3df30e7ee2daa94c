import zookeeper from 'node-zookeeper-client'
import type { Log } from '../../../lib/log.js'
import type {
  Backend,
  BackendEvents,
  DeleteOutcome,
  HistoryEntry,
  Stored,
  WriteOutcome,
} from '../backend.js'
import { StoreUnavailableError } from '../errors.js'
import { int32Version, readInt32Version } from '../version.js'
import { orOnCode, ZkCalls, ZkCodeError } from './client.js'
import { zkAcls, ZkLayout, zxid, type ZkConfig } from './layout.js'
import { ZkSession } from './session.js'
import { ZkWatch } from './watch.js'

export interface ZkBackendOptions extends ZkConfig {
  readonly log: Log
  /** Deadline of each ZooKeeper call (default 4 s; the library itself has none). */
  readonly callTimeoutMs?: number
  /** How long a handshake may go unanswered before the connection is dropped (default 2 s). */
  readonly handshakeTimeoutMs?: number
}

const { BAD_VERSION, NO_NODE } = zookeeper.Exception

/**
 * `io.l5d.zk`: dtabs in ZooKeeper as linkerd stored them (zk-layout.ts). ETag = base64 of the
 * 4-byte `stat.version` (version 0 is `AAAAAA==`); order = mzxid. The session survives server
 * restarts and expiry (zk-session.ts); calls fail fast while disconnected.
 */
export class ZkBackend implements Backend {
  readonly kind = 'io.l5d.zk'
  private readonly session: ZkSession
  private readonly calls: ZkCalls
  private readonly layout: ZkLayout
  private watcher: ZkWatch | undefined

  constructor(private readonly options: ZkBackendOptions) {
    const { zkAddrs, sessionTimeoutMs, authInfo, log, handshakeTimeoutMs } = options
    const connect = zkAddrs.map((a) => `${a.host}:${a.port}`).join(',')
    this.session = new ZkSession(
      { connect, sessionTimeoutMs, log, handshakeTimeoutMs, ...(authInfo && { authInfo }) },
      { up: () => this.watcher?.connected(), down: () => this.watcher?.disconnected() },
    )
    const client = (ms: number): Promise<zookeeper.Client | undefined> => this.session.ready(ms)
    this.calls = new ZkCalls(this.kind, client, options.callTimeoutMs ?? 4000)
    this.layout = new ZkLayout(this.calls, options.pathPrefix, zkAcls(options.acls))
  }

  async list(): Promise<string[]> {
    return (await this.layout.children()).names
  }

  read(ns: string): Promise<Stored | undefined> {
    return this.layout.get(ns)
  }

  async create(ns: string, text: string): Promise<WriteOutcome> {
    if ((await this.layout.create(ns, utf8(text))) === 'exists') return { type: 'exists' }
    return this.written(ns, await this.readBack(ns, text))
  }

  async update(ns: string, text: string, version: string): Promise<WriteOutcome> {
    const path = this.layout.path(ns)
    const n = readInt32Version(version)
    // -1 would mean "any version" to ZooKeeper; versions namerd hands out are never negative.
    if (n === undefined || n < 0) {
      const found = (await this.calls.exists(path)) !== null
      return { type: found ? 'version-mismatch' : 'not-found' }
    }
    try {
      const stat = await this.calls.setData(path, utf8(text), n)
      return this.written(ns, this.layout.stored(text, stat))
    } catch (e) {
      if (e instanceof ZkCodeError && e.zkCode === BAD_VERSION) return { type: 'version-mismatch' }
      if (e instanceof ZkCodeError && e.zkCode === NO_NODE) return { type: 'not-found' }
      throw e
    }
  }

  async put(ns: string, text: string): Promise<WriteOutcome> {
    // Create, else overwrite; a delete racing in between sends us round again.
    for (let attempt = 0; attempt < 5; attempt++) {
      if ((await this.layout.create(ns, utf8(text))) === 'ok') {
        return this.written(ns, await this.readBack(ns, text))
      }
      const set = this.calls.setData(this.layout.path(ns), utf8(text), -1)
      const stat = await orOnCode(set, NO_NODE, undefined)
      if (stat !== undefined) return this.written(ns, this.layout.stored(text, stat))
    }
    throw new Error(`${this.kind}: put ${ns} lost 5 races with deletes`)
  }

  async delete(ns: string): Promise<DeleteOutcome> {
    const removed = this.calls.remove(this.layout.path(ns)).then(() => true)
    if (!(await orOnCode(removed, NO_NODE, false))) return { type: 'not-found' }
    return { type: 'ok', rev: await this.deletionRev(ns) }
  }

  /**
   * A write of ours succeeded: the watch must treat `ns` as present, so that a delete by someone
   * else before the watch has read it is still reported (else the cache would keep our value).
   */
  private written(ns: string, stored: Stored): WriteOutcome {
    this.watcher?.noteWritten(ns)
    return { type: 'ok', stored }
  }

  // TODO(history): to be stored atomically with each write (see Backend).
  async history(_ns: string): Promise<HistoryEntry[]> {
    return []
  }

  watch(events: BackendEvents): () => void {
    const w = new ZkWatch(this.layout, events, this.options.log)
    this.watcher?.stop()
    this.watcher = w
    if (this.session.connectedClient() !== undefined) w.connected()
    else events.reachable(false)
    return () => {
      w.stop()
      if (this.watcher === w) this.watcher = undefined
    }
  }

  async close(): Promise<void> {
    this.watcher?.stop()
    this.watcher = undefined
    this.calls.abortAll()
    await this.session.close()
  }

  /**
   * The new value after a create: read back for its exact stat. If that read fails the write
   * still happened; report version 0 with rev 0 (older than anything), and the watch corrects.
   */
  private async readBack(ns: string, text: string): Promise<Stored> {
    const fallback = { text, version: int32Version(0), rev: 0n }
    try {
      return (await this.layout.get(ns)) ?? fallback
    } catch (e) {
      if (e instanceof StoreUnavailableError) return fallback
      throw e
    }
  }

  /**
   * A zxid at least as new as our delete and older than any later write of `ns`: the prefix's
   * pzxid if `ns` is still absent, else just before its re-creation. 0 if unknown (ignored).
   */
  private async deletionRev(ns: string): Promise<bigint> {
    try {
      const { names, rev } = await this.layout.children()
      if (!names.includes(ns)) return rev
      const stat = await this.calls.exists(this.layout.path(ns))
      return stat === null ? 0n : zxid(stat.czxid) - 1n
    } catch (e) {
      if (e instanceof StoreUnavailableError) return 0n
      throw e
    }
  }
}

function utf8(text: string): Buffer {
  return Buffer.from(text, 'utf8')
}
