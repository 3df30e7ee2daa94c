/**
 * One upstream exchange as the proxy sees it (the shape undici's dispatch handlers have, with
 * header fields as strings). Calls come in this order: `onConnect` once, then either
 * `onHeaders` (once, final status only), `onData`* and `onComplete`, or `onError` at any point;
 * after `onComplete` or `onError` nothing more.
 */
export interface ExchangeHandler {
  /** `abort(err)` ends the exchange with `err` (the connection is closed, not reused). */
  onConnect(abort: (err: Error) => void): void
  /** Flat `[name, value, …]`; returning false or, later, `onData` returning false pauses reading until `resume`. */
  onHeaders(status: number, fields: string[], resume: () => void): boolean
  onData(chunk: Buffer): boolean
  onComplete(): void
  onError(err: Error): void
}

/** One request to send upstream. */
export interface UpstreamRequest {
  readonly method: string
  /** Origin-form target, e.g. `/users?id=1`. */
  readonly path: string
  /** Flat `[name, value, …]`, hop-by-hop headers already removed, `host` included. */
  readonly headers: readonly string[]
  /** The body to stream, or null. Framed as it came: content-length if given, else chunked. */
  readonly body: NodeJS.ReadableStream | null
}

/** An upstream failure: `code` names it for metrics (`failures/<code>`). */
export class UpstreamError extends Error {
  constructor(
    readonly code: string,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options)
  }
}
