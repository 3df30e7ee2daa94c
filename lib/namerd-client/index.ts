/**
 * A client of namerd's HTTP API and its `?watch=true` streams, shared by the router's
 * `io.l5d.namerd.http` interpreter and namerctl. It speaks HTTP and JSON lines only: decoding
 * documents into dtabs and name trees is the callers' (dtabs/json-read.ts).
 */
export { Backoff, MIN_RETRY_DELAY_MS, type RetryOptions } from './backoff.js'
export type { WatchFailure } from './connection.js'
export { MAX_LINE_BYTES, namerdError, type NamerdError } from './protocol.js'
export {
  networkCause,
  send,
  UnreachableError,
  type HttpReply,
  type HttpRequest,
} from './request.js'
export { tlsFailureText, type NamerdTls } from './tls.js'
export { apiUrl } from './urls.js'
export { NamerdWatch } from './watch.js'
export type { NamerdWatchOptions, WatchState } from './watch-options.js'
