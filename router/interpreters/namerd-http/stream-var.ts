/**
 * A Var fed by one namerd watch stream: the building block of the `io.l5d.namerd.http`
 * interpreter's bindings (`/api/1/bind` streams) and address sets (`/api/1/addr` streams).
 */
import { Cell, type Var } from '../../../dtabs/index.js'
import { errorMessage } from '../../../lib/errors.js'
import { RouterError } from '../../errors.js'
import type { LiveStream, StreamCodec, StreamDeps } from './stream-types.js'
import { NamerdWatch, type WatchState } from '../../../lib/namerd-client/index.js'

export type { LiveStream, StreamCodec, StreamDeps } from './stream-types.js'

/**
 * The current value of one namerd stream (`initial` until the first document). The stream runs
 * while the Var is observed and `lingerMs` longer, so a name that is quickly observed again
 * does not reconnect. While namerd is unreachable the last value stays: a binding that worked
 * keeps working. `stalled()` says why a value is still missing, for the router's timeout error.
 *
 * When the stream stops, its value may go stale, so it goes back to `initial`: observed again,
 * the Var waits for namerd's current value rather than route by an old one. The old value is
 * kept aside and comes back only if that new stream fails before delivering (namerd down:
 * better an old binding than none).
 */
export class StreamVar<T> implements Var<T>, LiveStream {
  readonly constant = false
  readonly #cell: Cell<T>
  #watch: NamerdWatch | undefined
  #linger: NodeJS.Timeout | undefined
  #delivered = false
  #changedAt: number | undefined
  #updates = 0
  /** The value from before the stream stopped, while a restarted stream has not delivered. */
  #stale: { readonly value: T } | undefined

  constructor(
    /** The stream's URL (with `watch=true`). */
    readonly url: string,
    private readonly initial: T,
    private readonly codec: StreamCodec<T>,
    private readonly deps: StreamDeps,
    /** Each change of the stream's connection state (the interpreter logs its dtab stream's). */
    private readonly onState?: (s: WatchState) => void,
  ) {
    this.#cell = new Cell(initial, () => this.#start())
  }

  get(): T {
    return this.#cell.get()
  }

  subscribe(listener: (value: T) => void): () => void {
    return this.#cell.subscribe(listener)
  }

  /** Sets the value from elsewhere (a bind document's snapshot) unless the stream delivered. */
  seed(value: T): void {
    if (this.#delivered) return
    this.#stale = undefined
    this.#set(value)
  }

  /** Whether the stream has delivered a document since it (re)started. */
  get delivered(): boolean {
    return this.#delivered
  }

  /** The stream's state; `idle` when it is not running. */
  watchState(): WatchState | { readonly state: 'idle' } {
    return this.#watch?.state() ?? { state: 'idle' }
  }

  /** `Date.now()` of the last change of the value, and how many documents were applied. */
  changes(): { readonly at: number | undefined; readonly count: number } {
    return { at: this.#changedAt, count: this.#updates }
  }

  /** The value as JSON, for the admin page. */
  shown(): unknown {
    return this.codec.show(this.#cell.get())
  }

  /** Subscribers now. */
  get observers(): number {
    return this.#cell.observers
  }

  /** Why there is no value yet: namerd unreachable (failed, and not open again), else undefined. */
  stalled(what: string): RouterError | undefined {
    const s = this.#watch?.state()
    if (s === undefined || this.#delivered || s.attempts === 0 || s.state === 'open')
      return undefined
    // No host when no replica is known yet (the reason says so).
    const at = s.host === undefined ? '' : ` at ${s.host}`
    const message = `namerd${at} is unreachable while binding ${what}: ${s.lastError ?? ''}`
    return new RouterError('ERR_NAMERD_UNREACHABLE', message)
  }

  /** Stops the stream now, whoever observes (the interpreter is closing). */
  close(): void {
    clearTimeout(this.#linger)
    this.#stop(false)
  }

  #start(): () => void {
    clearTimeout(this.#linger)
    this.#linger = undefined
    if (this.#watch === undefined && !this.deps.isClosed()) {
      this.#watch = this.#open()
      this.deps.live.add(this)
    }
    return () => {
      this.#linger = setTimeout(() => this.#stop(true), this.deps.lingerMs)
      this.#linger.unref()
    }
  }

  /** Closes the stream; `forget` (idle, not closing): the value goes aside as stale. */
  #stop(forget: boolean): void {
    this.#linger = undefined
    this.#watch?.close()
    this.#watch = undefined
    this.#delivered = false
    this.deps.live.delete(this)
    if (!forget) return
    const last = this.#cell.get()
    if (last !== this.initial) this.#stale = { value: last }
    this.#cell.set(this.initial)
  }

  /** A restarted stream failed before delivering: the value from before is better than none. */
  #fallBack(): void {
    if (this.#delivered || this.#stale === undefined) return
    const { value } = this.#stale
    this.#stale = undefined
    this.#set(value)
  }

  #open(): NamerdWatch {
    return new NamerdWatch({
      url: this.url,
      origin: this.deps.origin,
      tls: this.deps.tls,
      retry: this.deps.retry,
      deadAfterMs: this.deps.deadAfterMs,
      onValue: (doc) => this.#apply(doc),
      onError: (e) => {
        this.#delivered = true
        this.#stale = undefined
        this.#set(this.codec.failed(e))
      },
      onState: (s) => {
        if (s.state === 'retrying') {
          this.deps.onReconnect()
          this.#fallBack()
        }
        this.onState?.(s)
      },
    })
  }

  #apply(doc: unknown): void {
    let value: T
    try {
      value = this.codec.decode(doc)
    } catch (e) {
      return this.deps.log(
        `namerd sent a document of the wrong shape on ${this.url}: ${errorMessage(e)}`,
      )
    }
    this.#delivered = true
    this.#stale = undefined
    this.#updates++
    this.deps.onUpdate()
    this.#set(value)
  }

  #set(value: T): void {
    if (value === this.#cell.get()) return
    this.#changedAt = Date.now()
    this.#cell.set(value)
  }
}
