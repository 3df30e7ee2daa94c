import zookeeper from 'node-zookeeper-client'
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
import { StoreUnavailableError } from '../errors.js'
import { int32Version, readInt32Version } from '../version.js'
import { ZkCalls, ZkCodeError } from './client.js'
import { ZkHistory } from './history.js'
import type { ZkOp, ZkOpResult } from './multi.js'
import { zkAcls, ZkLayout, zxid, type ZkConfig } from './layout.js'
import { ZkSession } from './session.js'
import { ZkWatch } from './watch.js'

export interface ZkBackendOptions extends ZkConfig {
  readonly log: Log
  /** Deadline of each ZooKeeper call (default 4 s; the library itself has none). */
  readonly callTimeoutMs?: number
  /** How long a handshake may go unanswered before the connection is dropped (default 2 s). */
  readonly handshakeTimeoutMs?: number
  /** Entries kept per namespace (default DEFAULT_HISTORY_SIZE). */
  readonly historySize?: number
}

const { BAD_VERSION, NO_NODE, NODE_EXISTS } = zookeeper.Exception
/** Attempts of a put or delete that keeps losing to other writers between its read and its write. */
const RACES = 10

/**
 * `io.l5d.zk`: dtabs in ZooKeeper as linkerd stored them (layout.ts). ETag = base64 of the
 * 4-byte `stat.version` (version 0 is `AAAAAA==`); order = mzxid. Each write is one multi: the
 * change and its history entry (history.ts). The session survives server restarts and expiry
 * (session.ts); calls fail fast while disconnected.
 */
export class ZkBackend implements Backend {
  readonly kind = 'io.l5d.zk'
  private readonly session: ZkSession
  private readonly calls: ZkCalls
  private readonly layout: ZkLayout
  private readonly past: ZkHistory
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
    this.past = new ZkHistory(this.layout, options.historySize ?? DEFAULT_HISTORY_SIZE, options.log)
  }

  async list(): Promise<string[]> {
    return (await this.layout.children()).names
  }

  read(ns: string): Promise<Stored | undefined> {
    return this.layout.get(ns)
  }

  async create(ns: string, text: string, note: ChangeNote): Promise<WriteOutcome> {
    const change: ZkOp = {
      type: 'create',
      path: this.layout.path(ns),
      data: utf8(text),
      acls: this.layout.acls,
    }
    try {
      await this.commit(ns, change, { ...note, version: int32Version(0), text })
    } catch (e) {
      if (failedWith(e, NODE_EXISTS)) return { type: 'exists' }
      throw e
    }
    return this.written(ns, await this.readBack(ns, text))
  }

  async update(ns: string, text: string, version: string, note: ChangeNote): Promise<WriteOutcome> {
    const n = readInt32Version(version)
    // -1 would mean "any version" to ZooKeeper; versions namerd hands out are never negative.
    if (n === undefined || n < 0) {
      const found = (await this.calls.exists(this.layout.path(ns))) !== null
      return { type: found ? 'version-mismatch' : 'not-found' }
    }
    return this.replace(ns, text, n, note)
  }

  /** Create, else replace the version just read: the history entry needs the exact version. */
  async put(ns: string, text: string, note: ChangeNote): Promise<WriteOutcome> {
    for (let attempt = 0; attempt < RACES; attempt++) {
      const stat = await this.calls.exists(this.layout.path(ns))
      const out =
        stat === null
          ? await this.create(ns, text, note)
          : await this.replace(ns, text, stat.version, note)
      if (out.type === 'ok') return out
    }
    throw new Error(`${this.kind}: put ${ns} lost ${RACES} races with other writers`)
  }

  /** Removes the version just read, so that the history entry names the version deleted. */
  async delete(ns: string, note: ChangeNote): Promise<DeleteOutcome> {
    const path = this.layout.path(ns)
    for (let attempt = 0; attempt < RACES; attempt++) {
      const stat = await this.calls.exists(path)
      if (stat === null) return { type: 'not-found' }
      const change: ZkOp = { type: 'remove', path, version: stat.version }
      try {
        const [, entry] = await this.commit(ns, change, {
          ...note,
          version: int32Version(stat.version),
        })
        return { type: 'ok', rev: await this.createdRev(entry?.path) }
      } catch (e) {
        if (!failedWith(e, BAD_VERSION) && !failedWith(e, NO_NODE)) throw e
      }
    }
    throw new Error(`${this.kind}: delete ${ns} lost ${RACES} races with other writers`)
  }

  async history(ns: string): Promise<HistoryEntry[]> {
    return this.past.read(ns)
  }

  /** setData against version `n`, with its history entry. */
  private async replace(
    ns: string,
    text: string,
    n: number,
    note: ChangeNote,
  ): Promise<WriteOutcome> {
    const change: ZkOp = {
      type: 'setData',
      path: this.layout.path(ns),
      data: utf8(text),
      version: n,
    }
    try {
      // The version after a setData is one more (ZooKeeper's int32 wraps as this does).
      const entry = { ...note, version: int32Version((n + 1) | 0), text }
      const [result] = await this.commit(ns, change, entry)
      if (result?.stat === undefined)
        throw new Error(`${this.kind}: setData ${ns} answered no stat`)
      return this.written(ns, this.layout.stored(text, result.stat))
    } catch (e) {
      if (failedWith(e, BAD_VERSION)) return { type: 'version-mismatch' }
      if (failedWith(e, NO_NODE)) return { type: 'not-found' }
      throw e
    }
  }

  /**
   * Applies `change` and records `entry` in `ns`'s history in one multi: both or neither. A
   * missing prefix or history parent is created and the multi sent again. Trims afterwards.
   */
  private async commit(
    ns: string,
    change: ZkOp,
    entry: Omit<HistoryEntry, 'rev'>,
  ): Promise<ZkOpResult[]> {
    const ops = [change, this.past.entryOp(ns, entry)]
    for (let attempt = 0; ; attempt++) {
      try {
        const results = await this.calls.multi(ops)
        this.past.trimLater(ns)
        return results
      } catch (e) {
        if (attempt > 2 || !(e instanceof ZkCodeError) || e.zkCode !== NO_NODE) throw e
        if (e.op === 1) await this.past.ensureParent(ns)
        else if (change.type === 'create') await this.layout.ensurePrefix()
        else throw e
      }
    }
  }

  /**
   * A write of ours succeeded: the watch must treat `ns` as present, so that a delete by someone
   * else before the watch has read it is still reported (else the cache would keep our value).
   */
  private written(ns: string, stored: Stored): WriteOutcome {
    this.watcher?.noteWritten(ns)
    return { type: 'ok', stored }
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
    const trims = this.past.close()
    this.calls.abortAll()
    await Promise.all([this.session.close(), trims])
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
   * The zxid of the multi that created `path` (a history entry: the zxid of its change), or 0
   * when unknown (ignored): a deletion's place in the order, older than any later write.
   */
  private async createdRev(path: string | undefined): Promise<bigint> {
    try {
      const stat = path === undefined ? null : await this.calls.exists(path)
      return stat === null ? 0n : zxid(stat.czxid)
    } catch (e) {
      if (e instanceof StoreUnavailableError) return 0n
      throw e
    }
  }
}

/** The change (a multi's first operation) failed with ZooKeeper error `code`. */
function failedWith(e: unknown, code: number): boolean {
  return e instanceof ZkCodeError && e.zkCode === code && e.op === 0
}

function utf8(text: string): Buffer {
  return Buffer.from(text, 'utf8')
}
