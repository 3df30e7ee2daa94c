import type { FastifyReply, FastifyRequest } from 'fastify'
import { CodedError, errorCode, errorMessage } from '../../lib/errors.js'
import type { Log } from '../../lib/log.js'
import { ROUTER_ERROR_CODES, statusOf, type RouterErrorCode } from '../errors.js'

/** The admin server's own refusals. Statuses are picked only in `adminStatus`. */
export class AdminError extends CodedError {
  constructor(
    readonly code: AdminErrorCode,
    message: string,
    options?: ErrorOptions & { allow?: readonly string[] },
  ) {
    super(message, options)
    this.allow = options?.allow
  }
  /** For `ERR_ADMIN_METHOD`: the methods the endpoint takes (the `Allow` header). */
  readonly allow: readonly string[] | undefined
}

/** The admin refusals; each has one status in `ADMIN_STATUS` and a row to add to docs/errors.md. */
export type AdminErrorCode =
  | 'ERR_ADMIN_BAD_REQUEST'
  | 'ERR_ADMIN_NOT_FOUND'
  | 'ERR_ADMIN_METHOD'
  | 'ERR_ADMIN_MEDIA_TYPE'
  | 'ERR_ADMIN_TIMEOUT'
  | 'ERR_UNAUTHENTICATED'
  | 'ERR_FORBIDDEN'

const ADMIN_STATUS: Readonly<Record<AdminErrorCode, number>> = {
  ERR_ADMIN_BAD_REQUEST: 400,
  ERR_ADMIN_NOT_FOUND: 404,
  ERR_ADMIN_METHOD: 405,
  ERR_ADMIN_MEDIA_TYPE: 415,
  ERR_ADMIN_TIMEOUT: 503,
  ERR_UNAUTHENTICATED: 401,
  ERR_FORBIDDEN: 403,
}

/** Codes of dtabs/ that a router's `delegate` may let through (statuses of docs/errors.md). */
const DTABS_STATUS: Readonly<Record<string, number>> = {
  ERR_DTAB_PARSE: 400,
  ERR_MAX_DEPTH: 502,
  ERR_UNKNOWN_NAMER: 502,
  ERR_DELEGATION_TOO_LARGE: 503,
}

/**
 * The HTTP status of anything an admin handler throws: admin codes, router codes (`statusOf`),
 * dtabs codes, fastify's own 4xx (bad JSON, unknown content type, body too large); else 500.
 */
export function adminStatus(err: unknown): number {
  const code = errorCode(err)
  if (code === undefined) return 500
  if (Object.hasOwn(ADMIN_STATUS, code)) return ADMIN_STATUS[code as AdminErrorCode]
  if ((ROUTER_ERROR_CODES as readonly string[]).includes(code)) {
    return statusOf(code as RouterErrorCode)
  }
  if (Object.hasOwn(DTABS_STATUS, code)) return DTABS_STATUS[code] ?? 500
  const sc = (err as { statusCode?: unknown }).statusCode
  if (code.startsWith('FST_') && typeof sc === 'number' && sc >= 400 && sc < 500) return sc
  return 500
}

/**
 * The one error handler of the admin server: the status from `adminStatus`, the message as a
 * text/plain body (linkerd's admin answers errors in plain text). An unexpected error (500) is
 * logged with its stack, once, here, and its message is not sent.
 */
export function adminErrorHandler(log: Log) {
  return function handleAdminError(err: unknown, req: FastifyRequest, reply: FastifyReply) {
    const status = adminStatus(err)
    if (status === 500) {
      log.error('admin request failed', { method: req.method, url: req.url, err })
    }
    if (err instanceof AdminError && err.allow !== undefined)
      reply.header('allow', err.allow.join(', '))
    const body = status === 500 ? 'internal error\n' : errorMessage(err)
    return reply.code(status).type('text/plain; charset=utf-8').send(body)
  }
}
