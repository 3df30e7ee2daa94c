import { errorMessage } from '../../lib/errors.js'
import { RouterError, statusOf } from '../errors.js'
import type { OutboundResponse } from './h1/outbound.js'
import { encodeErrHeader } from './headers.js'

/**
 * Answers a request with a router error, as linkerd's ErrorResponder: the status of its code,
 * `l5d-err` (form-encoded message), a text/plain body with the message, and `Via`. With
 * `clearContext` (an untrusted edge) the body is empty and no `l5d-*` header is sent. Anything
 * that is not a RouterError is a 502 with its message.
 */
export function respondError(
  res: OutboundResponse,
  err: unknown,
  viaEntry: string,
  clearContext: boolean,
): number {
  const routerError = err instanceof RouterError ? err : undefined
  const status = routerError === undefined ? 502 : statusOf(routerError.code)
  if (res.headersSent) {
    res.destroy()
    return status
  }
  const message = errorMessage(err)
  const body = clearContext ? '' : message
  const headers: string[] = ['content-type', 'text/plain; charset=utf-8', 'via', viaEntry]
  headers.push('content-length', String(Buffer.byteLength(body)))
  if (!clearContext) {
    headers.push('l5d-err', encodeErrHeader(message))
    if (routerError?.retryable === true) headers.push('l5d-retryable', 'true')
  }
  res.writeHead(status, headers)
  res.end(body)
  return status
}

/** Finagle's duration text: `10.seconds`, `1500.milliseconds`. */
export function finagleDuration(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}.seconds` : `${ms}.milliseconds`
}
