import type { Etcd3, IKeyValue, IRangeResponse, Watcher } from 'etcd3'
import { errorMessage } from '../../../lib/errors.js'
import type { Log } from '../../../lib/log.js'
import type { BackendEvents, Stored } from '../backend.js'
import { storedOf, type Keys } from './client.js'
import type { Reachability } from './reach.js'

interface Change {
  readonly ns: string
  readonly value: Stored | undefined
  readonly rev: bigint
}

const MIN_DELAY_MS = 100
const MAX_DELAY_MS = 2000

/**
 * Follows every namespace (the range Keys.namespaces), list-then-watch: reads them all at a
 * revision R, reports it as a snapshot, then reports watch events after R in order. etcd3's
 * watcher resumes by itself after a disconnection, but it can skip its catch-up events if the
 * stream drops again right after re-attaching (etcd3 1.1.2 moves its resume revision past them
 * before they arrive), and a compacted start revision cancels it (with an `error` whose reason
 * is empty, and no compact revision). So after every reconnection the prefix is read again
 * (events arriving meanwhile are held, then those after the new snapshot are reported), and
 * after a cancel the prefix is read again and a new watcher starts after that read.
 */
export class EtcdFollower {
  private watcher: Watcher | undefined
  /** Which read is current; a newer one (or stop) makes older answers moot. */
  private gen = 0
  /** Events held while a read is under way (undefined when none is). */
  private held: Change[] | undefined
  /** Events at or before the last snapshot's revision are in it. */
  private floor = -1n
  private last = -1n
  /** Namespaces reported at `last` (one transaction may change several). */
  private readonly atLast = new Set<string>()
  /** The watcher said disconnected and has not re-attached since. */
  private lost = false
  private timer: NodeJS.Timeout | undefined
  private readDelay = MIN_DELAY_MS
  private cancelDelay = MIN_DELAY_MS

  constructor(
    private readonly client: Etcd3,
    private readonly keys: Keys,
    private readonly events: BackendEvents,
    private readonly reach: Reachability,
    private readonly log: Log,
  ) {}

  start(): void {
    this.reread(0)
  }

  /** Stops following; resolves once the watcher is released (or after 500 ms). */
  async stop(): Promise<void> {
    this.gen++
    clearTimeout(this.timer)
    const w = this.watcher
    this.watcher = undefined
    if (w !== undefined) await release(w)
  }

  /** Reads the prefix again after `delayMs`, holding events until it is reported. */
  private reread(delayMs: number): void {
    const gen = ++this.gen
    this.held ??= []
    clearTimeout(this.timer)
    this.timer = setTimeout(() => void this.read(gen), delayMs)
  }

  private async read(gen: number): Promise<void> {
    let res: IRangeResponse
    try {
      res = await this.client.getAll().inRange(this.keys.namespaces).exec()
    } catch (e) {
      if (gen !== this.gen) return
      this.reach.set(false, errorMessage(e))
      this.timer = setTimeout(() => void this.read(gen), this.readDelay)
      this.readDelay = Math.min(this.readDelay * 2, MAX_DELAY_MS)
      return
    }
    if (gen === this.gen) this.publish(res)
  }

  private publish(res: IRangeResponse): void {
    const rev = BigInt(res.header.revision)
    const all = new Map<string, Stored>()
    for (const kv of res.kvs) {
      const ns = this.keys.nsOf(kv.key)
      if (ns !== undefined) all.set(ns, storedOf(kv))
    }
    const held = this.held ?? []
    this.held = undefined
    this.readDelay = MIN_DELAY_MS
    this.reach.set(true)
    this.floor = rev
    this.safely(() => this.events.snapshot(all, rev))
    this.watcher ??= this.follow(rev + 1n)
    for (const c of held) this.report(c)
  }

  private report(c: Change): void {
    if (this.held !== undefined) {
      this.held.push(c)
      return
    }
    if (c.rev <= this.floor || c.rev < this.last) return
    if (c.rev > this.last) this.atLast.clear()
    else if (this.atLast.has(c.ns)) return
    this.last = c.rev
    this.atLast.add(c.ns)
    this.safely(() => this.events.change(c.ns, c.value, c.rev))
  }

  private follow(from: bigint): Watcher {
    const w = this.client
      .watch()
      .inRange(this.keys.namespaces)
      .startRevision(from.toString())
      .watcher()
    w.on('put', (kv) => this.onEvent(kv, true))
    w.on('delete', (kv) => this.onEvent(kv, false))
    w.on('disconnected', (e) => {
      this.lost = true
      this.reach.set(false, errorMessage(e))
    })
    w.on('connected', () => {
      if (!this.lost) return
      this.lost = false
      this.reread(0)
    })
    w.on('error', (e) => this.onCancel(w, e))
    return w
  }

  private onEvent(kv: IKeyValue, put: boolean): void {
    this.cancelDelay = MIN_DELAY_MS
    const ns = this.keys.nsOf(kv.key)
    if (ns === undefined) return
    this.report({ ns, value: put ? storedOf(kv) : undefined, rev: BigInt(kv.mod_revision) })
  }

  /** etcd ended the watch (its start revision was compacted, or permission was withdrawn). */
  private onCancel(w: Watcher, e: Error): void {
    if (w !== this.watcher) return
    this.log.warn('etcd watch canceled; reading the prefix again', { error: errorMessage(e) })
    this.watcher = undefined
    this.lost = false
    quiet(w) // etcd3 has dropped it already: nothing to cancel
    // A cancel that repeats at once (no events in between) is retried ever more slowly.
    this.reread(this.cancelDelay)
    this.cancelDelay = Math.min(this.cancelDelay * 2, MAX_DELAY_MS)
  }

  /** Reports to the consumer; its failure is its own and must not break the watch. */
  private safely(f: () => void): void {
    try {
      f()
    } catch (e) {
      this.log.error('storage watch consumer failed', { error: errorMessage(e) })
    }
  }
}

/** Stops listening to a watcher (an 'error' with no listener would throw). */
function quiet(w: Watcher): void {
  w.removeAllListeners()
  w.on('error', () => undefined)
}

/** Cancels a watcher, giving up after 500 ms (etcd may be away). */
async function release(w: Watcher): Promise<void> {
  quiet(w)
  let timer: NodeJS.Timeout | undefined
  const late = new Promise<void>((r) => (timer = setTimeout(r, 500)))
  await Promise.race([w.cancel().catch(() => undefined), late])
  clearTimeout(timer)
}
