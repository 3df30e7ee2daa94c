import zookeeper, { type Event } from 'node-zookeeper-client'
import { errorMessage } from '../../../lib/errors.js'
import type { Log } from '../../../lib/log.js'
import type { BackendEvents, Stored } from '../backend.js'
import { StoreUnavailableError } from '../errors.js'
import { StoreDeniedError } from './client.js'
import type { ZkLayout } from './layout.js'

/** Pause before reading everything again after a failed read while connected; doubles. */
const RESYNC_RETRY_MS = 1000
const RESYNC_RETRY_MAX_MS = 30_000

/**
 * Follows every namespace under the prefix with ZooKeeper's one-shot watches: a child watch on
 * the prefix and a data watch on each child, each re-armed by the read that follows its event.
 * After every (re)connection, or when a read fails while connected, it reads everything again
 * and reports a snapshot (only a complete one). Work runs one task at a time; a task started
 * before the last (re)connection reports nothing (`epoch`).
 */
export class ZkWatch {
  private epoch = 0
  private queue: Promise<void> = Promise.resolve()
  /** Namespaces with a data watch set. */
  private readonly armed = new Set<string>()
  /** Namespaces last reported present. */
  private readonly present = new Set<string>()
  /** Namespaces namerd may not read (logged once each). */
  private readonly denied = new Set<string>()
  private retryTimer: NodeJS.Timeout | undefined
  private retryMs = RESYNC_RETRY_MS
  private stopped = false

  constructor(
    private readonly layout: ZkLayout,
    private readonly events: BackendEvents,
    private readonly log: Log,
  ) {}

  /** Connected (again, or with a new session): read everything, then follow changes. */
  connected(): void {
    if (this.stopped) return
    this.events.reachable(true)
    this.resync()
  }

  disconnected(): void {
    if (this.stopped) return
    this.epoch++
    this.armed.clear()
    this.events.reachable(false)
  }

  /** This namerd wrote `ns`: follow it as present until a listing says otherwise. */
  noteWritten(ns: string): void {
    if (this.stopped || this.present.has(ns)) return
    this.present.add(ns)
    // It may already be gone again: a listing reports that with a newer zxid than our write.
    this.enqueue((epoch) => this.relist(epoch))
  }

  stop(): void {
    this.stopped = true
    this.epoch++
    clearTimeout(this.retryTimer)
  }

  /** One handler per kind of watch, so the library registers each path once. */
  private readonly onChildren = (): void => this.enqueue((epoch) => this.relist(epoch))

  private readonly onData = (event: Event): void => {
    const ns = event.getPath().split('/').at(-1) ?? ''
    this.armed.delete(ns)
    if (event.getType() === zookeeper.Event.NODE_DELETED) {
      this.enqueue((epoch) => this.relist(epoch))
    } else {
      this.enqueue((epoch) => this.reread(ns, epoch))
    }
  }

  private resync(): void {
    clearTimeout(this.retryTimer)
    this.epoch++
    this.armed.clear()
    this.enqueue((epoch) => this.snapshot(epoch))
  }

  private enqueue(task: (epoch: number) => Promise<void>): void {
    const epoch = this.epoch
    this.queue = this.queue.then(async () => {
      if (epoch !== this.epoch || this.stopped) return
      try {
        await task(epoch)
      } catch (e) {
        this.failed(epoch, e)
      }
    })
  }

  /** A read failed: unless a reconnection will resync anyway, read everything again soon. */
  private failed(epoch: number, e: unknown): void {
    if (epoch !== this.epoch || this.stopped) return
    const level = e instanceof StoreUnavailableError ? 'warn' : 'error'
    this.log[level]('ZooKeeper watch read failed; reading everything again', {
      error: errorMessage(e),
      inMs: this.retryMs,
    })
    clearTimeout(this.retryTimer)
    this.retryTimer = setTimeout(() => {
      if (epoch === this.epoch && !this.stopped) this.resync()
    }, this.retryMs)
    this.retryMs = Math.min(this.retryMs * 2, RESYNC_RETRY_MAX_MS)
  }

  private async snapshot(epoch: number): Promise<void> {
    const { names, rev } = await this.layout.children(this.onChildren)
    const read = await Promise.all(names.map((ns) => this.readable(ns)))
    if (epoch !== this.epoch) return
    const all = new Map<string, Stored>()
    this.present.clear()
    let vanished = false
    names.forEach((ns, i) => {
      const stored = read[i]
      if (stored === 'denied') return
      this.present.add(ns)
      if (stored === undefined) return void (vanished = true)
      all.set(ns, stored)
      this.armed.add(ns)
    })
    this.retryMs = RESYNC_RETRY_MS
    this.events.snapshot(all, rev)
    // Deleted between the listing and its read: a fresh listing reports it with the deletion's
    // zxid, which is newer than any value the cache may hold for it (the listing's may not be).
    if (vanished) this.enqueue((e) => this.relist(e))
  }

  /** The child list changed: report removed namespaces, read and watch new ones. */
  private async relist(epoch: number): Promise<void> {
    const { names, rev } = await this.layout.children(this.onChildren)
    if (epoch !== this.epoch) return
    const now = new Set(names)
    for (const ns of [...this.present]) {
      if (now.has(ns)) continue
      this.present.delete(ns)
      this.armed.delete(ns)
      this.events.change(ns, undefined, rev)
    }
    await Promise.all(names.filter((ns) => !this.armed.has(ns)).map((ns) => this.reread(ns, epoch)))
  }

  /**
   * Reads `ns` and re-arms its data watch. A namespace whose ACL denies namerd reads as absent
   * (logged): one unreadable znode must not stop namerd from following all the others.
   */
  private async readable(ns: string): Promise<Stored | undefined | 'denied'> {
    try {
      return await this.layout.get(ns, this.onData)
    } catch (e) {
      if (!(e instanceof StoreDeniedError)) throw e
      if (!this.denied.has(ns))
        this.log.warn('ZooKeeper denies reading a namespace; it is left out', { ns })
      this.denied.add(ns)
      return 'denied'
    }
  }

  /** Reads `ns` and re-arms its data watch. */
  private async reread(ns: string, epoch: number): Promise<void> {
    const stored = await this.readable(ns)
    if (epoch !== this.epoch || stored === 'denied') return
    // Deleted: a listing reports it with the deletion's place in the order.
    if (stored === undefined) {
      this.present.add(ns)
      return this.enqueue((e) => this.relist(e))
    }
    this.armed.add(ns)
    this.present.add(ns)
    this.events.change(ns, stored, stored.rev)
  }
}
