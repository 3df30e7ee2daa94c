/**
 * The protocol-neutral contract between the routing core and its transports: how a request is
 * sent to an endpoint and how its answer comes back. HTTP/1.1 (router/h1/) implements both ends;
 * a second protocol is a second implementation of these interfaces, not a second router.
 */
import type { Readable } from 'node:stream'
import type { Path } from '../../dtabs/index.js'
import type { Endpoint } from '../model.js'

/**
 * Receives the answer to one request, the shape of undici's dispatch handlers with header fields
 * as a flat `[name, value, …]` list. Calls come in this order: `onConnect`, then either
 * `onHeaders` (once, final status only), `onData`* and `onComplete` (with the trailers, when the
 * transport has them: HTTP/2), or `onError` at any point;
 * after `onComplete` or `onError` nothing more. A call that waits (for a binding, an address
 * set) before its exchange gets `onConnect` for each wait and then for the exchange: the latest
 * `abort` is the one that counts. A step that watches the answer wraps the handler it was given
 * and passes every call on. The wrappers spell their pass-through methods out rather than share
 * a base class: each one's calls then always reach the same next handler class, which keeps
 * them monomorphic for V8 on the hot path.
 */
export interface ResponseHandler {
  /**
   * `abort(err)` ends what the call is doing now with `err`: its wait, or its exchange (whose
   * connection is closed, not reused).
   */
  onConnect(abort: (err: Error) => void): void
  /** Returning false, or later `onData` returning false, pauses the sender until `resume`. */
  onHeaders(status: number, fields: string[], resume: () => void): boolean
  onData(chunk: Buffer): boolean
  /** The answer is whole; `trailers`: its trailer fields, flat (absent: none). */
  onComplete(trailers?: string[]): void
  onError(err: Error): void
}

/** One request to send to an endpoint. */
export interface UpstreamRequest {
  readonly method: string
  /** Origin-form target, e.g. `/users?id=1`. */
  readonly path: string
  /** Flat `[name, value, …]`: hop-by-hop headers removed, `host` and linkerd's added. */
  readonly headers: readonly string[]
  /**
   * The body: a stream, or a buffer when the router kept it whole (to send it again on a
   * retry), or null. A transport starts reading it only once it is connected, so that a
   * request that could not connect can be sent elsewhere with its body untouched.
   */
  readonly body: Readable | Buffer | null
}

/** The connections of one endpoint (a keep-alive pool): where requests to it are sent. */
export interface Upstream {
  /** Sends `request`; the outcome goes to `handler` (see ResponseHandler). */
  dispatch(request: UpstreamRequest, handler: ResponseHandler): void
}

/** A transport's client side: the upstream of each endpoint, kept while in use. */
export interface Connector {
  /** `clientId`: the bound id of the calling client, whose settings bound its connections. */
  upstream(endpoint: Endpoint, clientId?: Path): Upstream
  /** Closes every upstream, letting requests in flight finish. */
  close(): Promise<void>
}

/**
 * An upstream failure with a stable `code` (counted as `failures/<code>`). `unsent`: nothing of
 * the request reached the endpoint (it could not be connected to, or its pool's line was full),
 * so the request can be sent to another endpoint whatever its method (a requeue).
 */
export class UpstreamError extends Error {
  readonly unsent: boolean

  constructor(
    readonly code: string,
    message: string,
    options?: ErrorOptions & { unsent?: boolean },
  ) {
    super(message, options)
    this.unsent = options?.unsent === true
  }
}

/**
 * The stream of an exchange was reset (HTTP/2 RST_STREAM) by the endpoint, or must be reset
 * toward the client, with `rstCode` (RFC 9113 section 7). A REFUSED_STREAM reset is `unsent`:
 * the endpoint did no work on it, so it can be sent elsewhere.
 */
export class StreamResetError extends UpstreamError {
  constructor(
    readonly rstCode: number,
    message: string,
    options?: ErrorOptions & { unsent?: boolean },
  ) {
    super('ERR_STREAM_RESET', message, options)
  }
}

/** Whether `err` says that nothing of the request reached the endpoint (see UpstreamError). */
export function neverSent(err: Error): boolean {
  return err instanceof UpstreamError && err.unsent
}
