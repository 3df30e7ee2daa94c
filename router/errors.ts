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

/**
 * gRPC status codes (grpc/doc/statuscodes.md) of the answers the router gives gRPC requests
 * itself; the only place they are picked.
 */
export const GRPC = {
  INVALID_ARGUMENT: 3,
  DEADLINE_EXCEEDED: 4,
  PERMISSION_DENIED: 7,
  RESOURCE_EXHAUSTED: 8,
  UNAVAILABLE: 14,
} as const

/**
 * The gRPC status of each code: the client's request at fault (bad override, unnamed request,
 * loop) is INVALID_ARGUMENT, a refusal by policy PERMISSION_DENIED, every timeout
 * DEADLINE_EXCEEDED, and anything that stopped the call on its way to an endpoint (no route,
 * no endpoint, connection, overload) UNAVAILABLE, the status gRPC clients may retry.
 */
const GRPC_STATUS: Readonly<Record<RouterErrorCode, number>> = {
  ERR_BAD_DTAB_HEADER: GRPC.INVALID_ARGUMENT,
  ERR_UNKNOWN_DST: GRPC.INVALID_ARGUMENT,
  ERR_MAX_CALL_DEPTH: GRPC.INVALID_ARGUMENT,
  ERR_NO_ROUTE: GRPC.UNAVAILABLE,
  ERR_BIND_FAILED: GRPC.UNAVAILABLE,
  ERR_BIND_TOO_LARGE: GRPC.UNAVAILABLE,
  ERR_OVERRIDE_BIND_TOO_LARGE: GRPC.INVALID_ARGUMENT,
  ERR_BINDING_TIMEOUT: GRPC.DEADLINE_EXCEEDED,
  ERR_NAMERD_UNREACHABLE: GRPC.UNAVAILABLE,
  ERR_NO_ENDPOINTS: GRPC.UNAVAILABLE,
  ERR_CONNECT: GRPC.UNAVAILABLE,
  ERR_UPSTREAM: GRPC.UNAVAILABLE,
  ERR_TLS_HANDSHAKE: GRPC.UNAVAILABLE,
  ERR_TIMEOUT: GRPC.DEADLINE_EXCEEDED,
  ERR_DEADLINE_EXCEEDED: GRPC.DEADLINE_EXCEEDED,
  ERR_OVERLOADED: GRPC.UNAVAILABLE,
  ERR_RESPONSE_TIMEOUT: GRPC.DEADLINE_EXCEEDED,
  ERR_POOL_QUEUE_FULL: GRPC.UNAVAILABLE,
  ERR_OVERRIDE_LITERAL: GRPC.PERMISSION_DENIED,
  ERR_OVERRIDE_SELF: GRPC.INVALID_ARGUMENT,
  ERR_PEER_NOT_ALLOWED: GRPC.PERMISSION_DENIED,
}

/**
 * The gRPC status that answers a gRPC request failed with `code`; a failure that is not a
 * router error (its status 502) is UNAVAILABLE.
 */
export function grpcStatusOf(code: RouterErrorCode | undefined): number {
  return code === undefined ? GRPC.UNAVAILABLE : GRPC_STATUS[code]
}

/** Every router error code (docs/errors.md has a row for each). */
export const ROUTER_ERROR_CODES = Object.keys(STATUS) as RouterErrorCode[]
