import { CodedError } from '../lib/errors.js'

/**
 * Errors the router answers itself (linkerd `ErrorResponder`). Each code maps to one status in
 * `statusOf`, the only place that picks statuses; the message goes in the body and, encoded, in
 * `l5d-err`.
 */
export class RouterError extends CodedError {
  constructor(
    readonly code: RouterErrorCode,
    message: string,
    options?: ErrorOptions & { retryable?: boolean },
  ) {
    super(message, options)
    this.retryable = options?.retryable === true
  }
  readonly retryable: boolean
}

export type RouterErrorCode =
  | 'ERR_BAD_DTAB_HEADER'
  | 'ERR_UNKNOWN_DST'
  | 'ERR_MAX_CALL_DEPTH'
  | 'ERR_NO_ROUTE'
  | 'ERR_BIND_FAILED'
  | 'ERR_BIND_TOO_LARGE'
  | 'ERR_OVERRIDE_BIND_TOO_LARGE'
  | 'ERR_BINDING_TIMEOUT'
  | 'ERR_NAMERD_UNREACHABLE'
  | 'ERR_NO_ENDPOINTS'
  | 'ERR_CONNECT'
  | 'ERR_UPSTREAM'
  | 'ERR_TLS_HANDSHAKE'
  | 'ERR_TIMEOUT'
  | 'ERR_DEADLINE_EXCEEDED'
  | 'ERR_OVERLOADED'
  | 'ERR_RESPONSE_TIMEOUT'
  | 'ERR_POOL_QUEUE_FULL'
  | 'ERR_OVERRIDE_LITERAL'
  | 'ERR_OVERRIDE_SELF'
  | 'ERR_PEER_NOT_ALLOWED'

const STATUS: Readonly<Record<RouterErrorCode, number>> = {
  ERR_BAD_DTAB_HEADER: 400,
  ERR_UNKNOWN_DST: 400,
  ERR_MAX_CALL_DEPTH: 400,
  ERR_NO_ROUTE: 502,
  ERR_BIND_FAILED: 502,
  ERR_BIND_TOO_LARGE: 502,
  ERR_OVERRIDE_BIND_TOO_LARGE: 400,
  ERR_BINDING_TIMEOUT: 504,
  ERR_NAMERD_UNREACHABLE: 502,
  ERR_NO_ENDPOINTS: 502,
  ERR_CONNECT: 502,
  ERR_UPSTREAM: 502,
  ERR_TLS_HANDSHAKE: 502,
  ERR_TIMEOUT: 503,
  ERR_DEADLINE_EXCEEDED: 504,
  ERR_OVERLOADED: 503,
  ERR_RESPONSE_TIMEOUT: 504,
  ERR_POOL_QUEUE_FULL: 503,
  ERR_OVERRIDE_LITERAL: 400,
  ERR_OVERRIDE_SELF: 400,
  ERR_PEER_NOT_ALLOWED: 403,
}

/** The HTTP status of a router error code (linkerd's statuses). */
export function statusOf(code: RouterErrorCode): number {
  return STATUS[code]
}

/** Every router error code (docs/errors.md has a row for each). */
export const ROUTER_ERROR_CODES = Object.keys(STATUS) as RouterErrorCode[]
