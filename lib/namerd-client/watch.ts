/**
 * A resilient client for one namerd watch stream (`GET …?watch=true`, docs/namerd.md
 * "Watches"): the router's `io.l5d.namerd.http` streams and `namerctl dtab watch`.
 */
import { errorMessage } from '../errors.js'
import { Backoff } from './backoff.js'
import { LineConnection, type WatchFailure } from './connection.js'
import { MAX_LINE_BYTES, namerdError } from './protocol.js'
import type { NamerdWatchOptions, WatchState } from './watch-options.js'

const DEFAULT_HEADERS = { accept: 'application/json' }

/**
 * Follows one namerd watch stream, reconnecting until `close()` (or until `retryIf` says no).
 * It connects at once. A non-200 answer (the status and body go to `lastError`), a network
 * error, the end of the stream, a document that is not JSON, a line over 16 MiB or
 * `deadAfterMs` without a byte closes the connection and goes to `retrying`, then reconnects
 * after the shared backoff's wait (backoff.ts). The failure count resets when a connection
 * delivers a document (a value, a repeat or an error line). Documents are delivered to
 * `onValue` in order, except one whose text equals the last one delivered, even across
 * reconnections: namerd sends the current value first on each connection, and an unchanged
 * one is not delivered again. An error line goes to `onError`; the value after it is delivered
 * even if it equals the one before (it says the error is over).
 * Callbacks are never called from the constructor, nor after `close()` (which calls
 * `onState` once with `closed`); they must not throw.
 */
export class NamerdWatch {
  readonly #o: NamerdWatchOptions
  readonly #url: URL
  readonly #backoff: Backoff
  #state: WatchState = { state: 'connecting', since: Date.now(), attempts: 0 }
  #conn: LineConnection | undefined
  #timer: NodeJS.Timeout | undefined
  #lastDoc: string | undefined

  /** Throws Node's `ERR_INVALID_URL` or `ERR_INVALID_PROTOCOL` for a URL that is not http(s):. */
  constructor(options: NamerdWatchOptions) {
    this.#o = options
    this.#url = new URL(options.url)
    this.#backoff = new Backoff(options.retry, options.random)
    if (options.origin !== undefined) this.#timer = setTimeout(() => this.#connect(), 0)
    else this.#conn = this.#open(this.#url)
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
    this.#enter({ state: 'closed' })
  }

  #open(url: URL): LineConnection {
    this.#state = { ...this.#state, host: url.host }
    const deadAfterMs = this.#o.deadAfterMs ?? 35_000
    const options = {
      headers: this.#o.headers ?? DEFAULT_HEADERS,
      deadAfterMs,
      openTimeoutMs: this.#o.openTimeoutMs ?? Math.min(5_000, deadAfterMs),
      maxLineBytes: MAX_LINE_BYTES,
      tls: this.#o.tls,
    }
    return new LineConnection(url, options, {
      onOpen: () => this.#enter({ state: 'open' }),
      onLine: (line) => this.#line(line),
      onFail: (failure) => this.#retry(failure),
    })
  }

  #connect(): void {
    this.#timer = undefined
    this.#enter({ state: 'connecting' })
    if (this.#state.state !== 'connecting') return
    try {
      const origin = this.#o.origin?.()
      const url =
        origin === undefined ? this.#url : new URL(this.#url.pathname + this.#url.search, origin)
      this.#conn = this.#open(url)
    } catch (e) {
      this.#retry({ kind: 'unreachable', reason: errorMessage(e), timedOut: false })
    }
  }

  #retry(failure: WatchFailure): void {
    this.#conn = undefined
    if (this.#o.retryIf?.(failure) === false) return this.#giveUp(failure)
    const delay = this.#backoff.next()
    const attempts = this.#backoff.failures
    const downSince = attempts === 1 ? Date.now() : this.#state.downSince
    this.#enter({ state: 'retrying', attempts, downSince, lastError: failure.reason })
    if (this.#state.state !== 'retrying') return
    this.#timer = setTimeout(() => this.#connect(), delay)
  }

  #giveUp(failure: WatchFailure): void {
    this.#state = { ...this.#state, lastError: failure.reason }
    this.close()
    this.#o.onGiveUp?.(failure)
  }

  #line(line: string): void {
    if (line === this.#lastDoc) return this.#delivered()
    let doc: unknown
    try {
      doc = JSON.parse(line)
    } catch {
      this.#conn?.close()
      return this.#retry({ kind: 'broken', reason: `not JSON: ${line.slice(0, 100)}` })
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
    this.#o.onValue(doc, line)
  }

  /** This connection works: the next failure starts the backoff again. */
  #delivered(): void {
    this.#backoff.reset()
    if (this.#state.attempts !== 0) this.#state = { ...this.#state, attempts: 0 }
  }

  #enter(change: Pick<WatchState, 'state'> & Partial<WatchState>): void {
    this.#state = { ...this.#state, since: Date.now(), ...change }
    this.#o.onState?.(this.#state)
  }
}
