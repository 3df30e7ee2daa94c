/**
 * A Var fed by one namerd watch stream: the building block of the `io.l5d.namerd.http`
 * interpreter's bindings (`/api/1/bind` streams) and address sets (`/api/1/addr` streams).
 */
import { Cell, type Var } from '../../../dtabs/index.js'
import { errorMessage } from '../../../lib/errors.js'
import { RouterError } from '../../errors.js'
import { NamerdWatch, type NamerdError, type RetryOptions, type WatchState } from './watch.js'

/** What every stream of one interpreter shares: namerd's settings and the accounting. */
export interface StreamDeps {
  readonly retry: RetryOptions
  /** How long a stream stays open after its last observer left (default 10 s). */
  readonly lingerMs: number
  readonly deadAfterMs?: number
  /** Called each time a stream fails and a reconnection is scheduled. */
  readonly onReconnect: () => void
  /** Called for each document applied. */
  readonly onUpdate: () => void
  /** Problems worth a log line (a document of the wrong shape). */
  readonly log: (message: string) => void
  /** The running streams: each adds itself when it opens and leaves when it closes. */
  readonly live: Set<LiveStream>
  /** True once the interpreter is closed: no stream opens any more. */
  readonly isClosed: () => boolean
}

/** What the interpreter sees of a running stream, whatever its value type. */
export interface LiveStream {
  readonly url: string
  readonly observers: number
  watchState(): WatchState | { readonly state: 'idle' }
  changes(): { readonly at: number | undefined; readonly count: number }
  shown(): unknown
  close(): void
}

/** How a stream's documents become values. */
export interface StreamCodec<T> {
  /** The value of a document; throws (NamerdJsonError) for a document of the wrong shape. */
  decode(doc: unknown): T
  /** The value while namerd reports an error on this stream. */
  failed(e: NamerdError): T
  /** The value as JSON, for the admin page. */
  show(value: T): unknown
}

/**
 * The current value of one namerd stream (`initial` until the first document). The stream runs
 * while the Var is observed and `lingerMs` longer, so a name that is quickly observed again
 * does not reconnect. While namerd is unreachable the last value stays: a binding that worked
 * keeps working. `stalled()` says why a value is still missing, for the router's timeout error.
 */
export class StreamVar<T> implements Var<T>, LiveStream {
  readonly constant = false
  readonly #cell: Cell<T>
  #watch: NamerdWatch | undefined
  #linger: NodeJS.Timeout | undefined
  #delivered = false
  #changedAt: number | undefined
  #updates = 0

  constructor(
    /** The stream's URL (with `watch=true`). */
    readonly url: string,
    initial: T,
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
    if (!this.#delivered) this.#set(value)
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
    const base = new URL(this.url).host
    const message = `namerd at ${base} is unreachable while binding ${what}: ${s.lastError ?? ''}`
    return new RouterError('ERR_NAMERD_UNREACHABLE', message)
  }

  /** Stops the stream now, whoever observes (the interpreter is closing). */
  close(): void {
    clearTimeout(this.#linger)
    this.#stop()
  }

  #start(): () => void {
    clearTimeout(this.#linger)
    this.#linger = undefined
    if (this.#watch === undefined && !this.deps.isClosed()) {
      this.#watch = this.#open()
      this.deps.live.add(this)
    }
    return () => {
      this.#linger = setTimeout(() => this.#stop(), this.deps.lingerMs)
      this.#linger.unref()
    }
  }

  #stop(): void {
    this.#linger = undefined
    this.#watch?.close()
    this.#watch = undefined
    this.#delivered = false
    this.deps.live.delete(this)
  }

  #open(): NamerdWatch {
    return new NamerdWatch({
      url: this.url,
      retry: this.deps.retry,
      deadAfterMs: this.deps.deadAfterMs,
      onValue: (doc) => this.#apply(doc),
      onError: (e) => {
        this.#delivered = true
        this.#set(this.codec.failed(e))
      },
      onState: (s) => {
        if (s.state === 'retrying') this.deps.onReconnect()
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
