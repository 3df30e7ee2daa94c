/**
 * A resilient client for one namerd watch stream (`GET …?watch=true`, docs/namerd.md "Watches"),
 * the building block of the router's future `io.l5d.namerd.http` interpreter.
 */
import { Agent } from 'node:http'
import { errorMessage } from '../../../lib/errors.js'
import { LineConnection } from './line-connection.js'
import { namerdError, retryDelayMs, type NamerdError, type RetryOptions } from './protocol.js'

export type { NamerdError, RetryOptions } from './protocol.js'

/** Longer than this, a line is a protocol error (and the connection is retried). */
export const MAX_LINE_BYTES = 16 * 1024 * 1024

/** Where a watch is; `state()` gives it and `onState` hears each change of `state`. */
export interface WatchState {
  readonly state: 'connecting' | 'open' | 'retrying' | 'closed'
  /** `Date.now()` when `state` last changed. */
  readonly since: number
  /** Failed connections since the last one that delivered a document (or since the start). */
  readonly attempts: number
  /** `Date.now()` of the first failure of the current run (`attempts` > 0). */
  readonly downSince?: number
  /** `host:port` of the last connection attempt (it changes with `origin`). */
  readonly host?: string
  /** Why the last connection failed (kept after a recovery), e.g. `namerd answered 404 …`. */
  readonly lastError?: string
  /** `Date.now()` when `onValue` was last called. */
  readonly lastValueAt?: number
}

export interface NamerdWatchOptions {
  /** The full stream URL, e.g. `http://namerd:4180/api/1/dtabs/default?watch=true`; http: only. */
  readonly url: string
  /**
   * When namerd's address can change (several replicas, found by the router's namers): the
   * origin (`http://host:port`) for each new connection, replacing the url's; it throws when no
   * address is known, which counts as a failed connection. The first connection then starts on
   * the next turn of the event loop.
   */
  readonly origin?: () => string
  /** Reconnection backoff, in ms (linkerd's `baseSeconds`/`maxSeconds` × 1000). */
  readonly retry: RetryOptions
  /**
   * No byte for this long (heartbeats count; so does the wait for the answer's headers): the
   * connection is dead (default 35 s: namerd's heartbeat is every 10 s).
   */
  readonly deadAfterMs?: number
  /**
   * No answer's head for this long: the connection is dead (default 5 s: namerd answers a watch
   * at once, even while what it watches is pending). Shorter than `deadAfterMs`, so that a
   * namerd that accepts connections but never answers (overloaded, a half-open path) is left
   * quickly.
   */
  readonly openTimeoutMs?: number
  /** The jitter source, in [0, 1] (default `Math.random`). */
  readonly random?: () => number
  /** Each new document, parsed; never one equal (as text) to the last one delivered. */
  readonly onValue: (doc: unknown) => void
  /** Each namerd error line (`{"error":{"code","message"}}`); the last value stays as it was. */
  readonly onError?: (e: NamerdError) => void
  /** Each change of `state`, but not the initial `connecting`. */
  readonly onState?: (s: WatchState) => void
}

/**
 * Follows one namerd watch stream, reconnecting for ever until `close()`. It connects at once.
 * A non-200 answer (the status and body go to `lastError`), a network error, the end of the
 * stream, a document that is not JSON, a line over 16 MiB or `deadAfterMs` without a byte
 * closes the connection and goes to `retrying`; after the n-th consecutive failure (n ≥ 1) it
 * waits a random time in [0, min(maxMs, baseMs·2^(n-1))] (at least a few ms). The count resets
 * when a connection delivers a document (a value, a repeat or an error line). Documents are
 * delivered to `onValue` in order, except one whose text equals the last one delivered, even
 * across reconnections: namerd sends the current value first on each connection, and an
 * unchanged one is not delivered again. An error line goes to `onError`; the value after it is
 * delivered even if it equals the one before (it says the error is over).
 * Callbacks are never called from the constructor, nor after `close()` (which calls
 * `onState` once with `closed`); they must not throw.
 */
export class NamerdWatch {
  readonly #o: NamerdWatchOptions
  readonly #url: URL
  readonly #agent = new Agent({ keepAlive: false })
  #state: WatchState = { state: 'connecting', since: Date.now(), attempts: 0 }
  #conn: LineConnection | undefined
  #timer: NodeJS.Timeout | undefined
  #lastDoc: string | undefined

  /** Throws Node's `ERR_INVALID_URL` or `ERR_INVALID_PROTOCOL` for a URL that is not http:. */
  constructor(options: NamerdWatchOptions) {
    this.#o = options
    this.#url = new URL(options.url)
    if (options.origin !== undefined) {
      this.#timer = setTimeout(() => this.#connect(), 0)
      return
    }
    try {
      this.#conn = this.#open(this.#url)
    } catch (e) {
      this.#agent.destroy()
      throw e
    }
  }

  /** The current state (a new object at each change). */
  state(): WatchState {
    return this.#state
  }

  /** Stops everything: no timer or socket is left. Idempotent. */
  close(): void {
    if (this.#state.state === 'closed') return
    clearTimeout(this.#timer)
    this.#conn?.close()
    this.#conn = undefined
    this.#agent.destroy()
    this.#enter({ state: 'closed' })
  }

  #open(url: URL): LineConnection {
    this.#state = { ...this.#state, host: url.host }
    const options = {
      agent: this.#agent,
      deadAfterMs: this.#o.deadAfterMs ?? 35_000,
      openTimeoutMs: this.#o.openTimeoutMs ?? Math.min(5_000, this.#o.deadAfterMs ?? 35_000),
      maxLineBytes: MAX_LINE_BYTES,
    }
    return new LineConnection(url, options, {
      onOpen: () => this.#enter({ state: 'open' }),
      onLine: (line) => this.#line(line),
      onFail: (reason) => this.#retry(reason),
    })
  }

  #connect(): void {
    this.#timer = undefined
    this.#enter({ state: 'connecting' })
    if (this.#state.state !== 'connecting') return
    let url = this.#url
    try {
      if (this.#o.origin !== undefined)
        url = new URL(this.#url.pathname + this.#url.search, this.#o.origin())
    } catch (e) {
      return this.#retry(errorMessage(e))
    }
    this.#conn = this.#open(url)
  }

  #retry(reason: string): void {
    this.#conn = undefined
    const attempts = this.#state.attempts + 1
    const downSince = attempts === 1 ? Date.now() : this.#state.downSince
    this.#enter({ state: 'retrying', attempts, downSince, lastError: reason })
    if (this.#state.state !== 'retrying') return
    const delay = retryDelayMs(attempts, this.#o.retry, this.#o.random ?? Math.random)
    this.#timer = setTimeout(() => this.#connect(), delay)
  }

  #line(line: string): void {
    if (line === this.#lastDoc) return this.#delivered()
    let doc: unknown
    try {
      doc = JSON.parse(line)
    } catch {
      this.#conn?.close()
      return this.#retry(`not JSON: ${line.slice(0, 100)}`)
    }
    this.#delivered()
    const error = namerdError(doc)
    if (error !== undefined) {
      // The value that follows an error is the recovery: deliver it even if unchanged.
      this.#lastDoc = undefined
      return this.#o.onError?.(error)
    }
    this.#lastDoc = line
    this.#state = { ...this.#state, lastValueAt: Date.now() }
    this.#o.onValue(doc)
  }

  /** This connection works: the next failure starts the backoff again. */
  #delivered(): void {
    if (this.#state.attempts !== 0) this.#state = { ...this.#state, attempts: 0 }
  }

  #enter(change: Pick<WatchState, 'state'> & Partial<WatchState>): void {
    this.#state = { ...this.#state, since: Date.now(), ...change }
    this.#o.onState?.(this.#state)
  }
}
