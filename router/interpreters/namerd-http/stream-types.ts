/**
 * The contracts around `StreamVar` (stream-var.ts): what the streams of one interpreter share,
 * how documents become values, and what the interpreter sees of a running stream.
 */
import type {
  NamerdError,
  NamerdTls,
  RetryOptions,
  WatchState,
} from '../../../lib/namerd-client/index.js'

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
  /** namerd's origin for each new connection when it has several replicas (lib/namerd-client). */
  readonly origin?: () => string
  /** For an `https://` namerd: the trusted CAs, client certificate and name to check. */
  readonly tls?: NamerdTls | undefined
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
