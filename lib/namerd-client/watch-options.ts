/** The contract of `NamerdWatch` (watch.ts): its options and the states it reports. */
import type { RetryOptions } from './backoff.js'
import type { WatchFailure } from './connection.js'
import type { NamerdError } from './protocol.js'
import type { NamerdTls } from './tls.js'

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
  /** The full stream URL, e.g. `http://namerd:4180/api/1/dtabs/default?watch=true`. */
  readonly url: string
  /** Request headers; default `accept: application/json`. */
  readonly headers?: Readonly<Record<string, string>>
  /**
   * When namerd's address can change (several replicas, found by the router's namers): the
   * origin (`http://host:port`) for each new connection, replacing the url's; it throws when no
   * address is known, which counts as a failed connection. The first connection then starts on
   * the next turn of the event loop.
   */
  readonly origin?: () => string
  /** For `https:` URLs: the CAs, client certificate and name to check (tls.ts). */
  readonly tls?: NamerdTls | undefined
  /** Reconnection backoff, in ms (backoff.ts). */
  readonly retry: RetryOptions
  /**
   * No byte for this long (heartbeats count): the connection is dead (default 35 s: namerd's
   * heartbeat is every 10 s).
   */
  readonly deadAfterMs?: number
  /**
   * No answer's head for this long: the connection is dead (default 5 s, at most `deadAfterMs`:
   * namerd answers a watch at once, even while what it watches is pending), so that a namerd
   * that accepts connections but never answers (overloaded, a half-open path) is left quickly.
   */
  readonly openTimeoutMs?: number
  /** The jitter source, in [0, 1] (default `Math.random`). */
  readonly random?: () => number
  /** Each new document, parsed, and its line; never one equal to the last one delivered. */
  readonly onValue: (doc: unknown, line: string) => void
  /** Each namerd error line (`{"error":{"code","message"}}`); the last value stays as it was. */
  readonly onError?: (e: NamerdError) => void
  /** Each change of `state`, but not the initial `connecting`. */
  readonly onState?: (s: WatchState) => void
  /** Whether to reconnect after `failure` (default: always); false ends the watch. */
  readonly retryIf?: (failure: WatchFailure) => boolean
  /** The failure `retryIf` refused to retry: the last callback, after the `closed` state. */
  readonly onGiveUp?: (failure: WatchFailure) => void
}
