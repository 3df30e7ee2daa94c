/**
 * What the HTTP/2 classifiers add to the status ones: a stream reset (RST_STREAM) is an error
 * of its own. Only REFUSED_STREAM says the endpoint did no work on the request (RFC 9113
 * section 8.7), so only that reset is safe to send again; any other may come after the endpoint
 * acted on it.
 */
import { StreamResetError } from '../core/handler.js'
import { isRetryableError, statusKinds } from './http.js'

/** RST_STREAM's REFUSED_STREAM code (RFC 9113 section 7). */
export const REFUSED_STREAM = 0x7

/**
 * The stream reset that ended an attempt, if one did: the error itself, or its cause (the
 * balance step wraps an upstream's error in the router's own).
 */
export function streamReset(err: Error): StreamResetError | undefined {
  if (err instanceof StreamResetError) return err
  const cause = err.cause
  return cause instanceof StreamResetError ? cause : undefined
}

/** Whether `err` is a reset the endpoint refused the stream with. */
export function isRefused(err: Error): boolean {
  return streamReset(err)?.rstCode === REFUSED_STREAM
}

/** An error a retry can cure on HTTP/2: a refused stream, or what cures one on HTTP/1.1. */
function isRetryableH2Error(err: Error): boolean {
  const reset = streamReset(err)
  return reset === undefined ? isRetryableError(err) : reset.rstCode === REFUSED_STREAM
}

/** `io.l5d.h2.nonRetryable5XX`, `…retryableRead5XX`, `…retryableIdempotent5XX`, `…retryableAll5XX`, `…allSuccessful`. */
export const h2StatusKinds = statusKinds('io.l5d.h2', isRetryableH2Error)
