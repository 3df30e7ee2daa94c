import { CodedError, errorCode, errorMessage } from '../../lib/errors.js'

/** A request namerd refuses, with the code that picks its status. */
export class ApiError extends CodedError {
  constructor(
    readonly code: ApiErrorCode,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options)
  }
}

export type ApiErrorCode =
  | 'ERR_API_INPUT'
  | 'ERR_NAMESPACE_NOT_FOUND'
  | 'ERR_NAMESPACE_EXISTS'
  | 'ERR_VERSION_MISMATCH'
  | 'ERR_STORED_DTAB_INVALID'
  | 'ERR_BINDING_TIMEOUT'
  | 'ERR_API_BODY_TOO_LARGE'
  | 'ERR_OVERRIDE_BIND_TOO_LARGE'

/** Every code the API answers with, and its status: the one place statuses are chosen. */
const STATUS: Readonly<Record<string, number>> = {
  ERR_API_INPUT: 400,
  ERR_DTAB_PARSE: 400,
  ERR_DTAB_JSON: 400,
  ERR_NAMESPACE_INVALID: 400,
  ERR_NAMESPACE_NOT_FOUND: 404,
  ERR_NAMESPACE_EXISTS: 409,
  ERR_API_BODY_TOO_LARGE: 413,
  ERR_STORE_VALUE_TOO_LARGE: 413,
  ERR_VERSION_MISMATCH: 412,
  ERR_MAX_DEPTH: 502,
  ERR_UNKNOWN_NAMER: 502,
  ERR_DELEGATION_TOO_LARGE: 503,
  ERR_BIND_TOO_LARGE: 502,
  ERR_OVERRIDE_BIND_TOO_LARGE: 400,
  ERR_FS_ROOT_DIR: 502,
  ERR_STORED_DTAB_INVALID: 502,
  ERR_BINDING_TIMEOUT: 503,
  ERR_STORE_UNAVAILABLE: 503,
  ERR_STORE_IO: 503,
  ERR_STORE_DENIED: 403,
  ERR_UNAUTHENTICATED: 401,
  ERR_FORBIDDEN: 403,
}

/** The status for an error: its code's, else 500 (a bug: logged by the caller). */
export function statusOf(e: unknown): number {
  const code = errorCode(e)
  return (code !== undefined && STATUS[code]) || 500
}

/** The JSON line a watch stream writes for an error before it ends or carries on. */
export function errorLine(e: unknown): string {
  const error = { code: errorCode(e) ?? 'ERR_INTERNAL', message: errorMessage(e) }
  return JSON.stringify({ error })
}
