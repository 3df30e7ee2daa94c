import { showDtab } from '../../dtabs/index.js'
import { RouterError, type RouterErrorCode } from '../errors.js'
import type { Endpoint } from '../model.js'
import type { UpstreamClient } from './clients.js'
import { neverSent } from './handler.js'
import type { RequestIn } from './call.js'

/**
 * The router errors of the data path, worded as linkerd 1's HTTP router words them (its
 * `ErrorResponder`), so clients and scripts that match them keep working; docs/errors.md lists
 * their codes.
 */

export function unknownDst(req: RequestIn, reason: string): RouterError {
  const from = `${req.remoteAddress ?? '?'}:${req.remotePort ?? '?'}`
  return new RouterError(
    'ERR_UNKNOWN_DST',
    `Unknown destination: Request("${req.method} ${req.url}", from /${from}) / ${reason}`,
  )
}

export function maxCallDepth(limit: number): RouterError {
  return new RouterError(
    'ERR_MAX_CALL_DEPTH',
    `Maximum number of calls (${limit}) has been exceeded. Please check for proxy loops.`,
  )
}

function dentryLines(dtab: string): string {
  if (dtab === '') return ''
  return dtab
    .split(';')
    .map((e) => `  ${e.replace('=>', ' => ')}\n`)
    .join('')
}

/** 502: the name bound to Neg, Fail or Empty. Says which name and the dtabs used. */
export function noRoute(
  name: string,
  base: Parameters<typeof showDtab>[0],
  local: string,
): RouterError {
  const text =
    `Unable to route request!\n\nservice name: ${name}\ndtab:\n` +
    `base dtab:\n${dentryLines(showDtab(base))}override dtab:\n${dentryLines(local)}`
  return new RouterError('ERR_NO_ROUTE', text.trimEnd())
}

export function noEndpoints(client: UpstreamClient, name: string): RouterError {
  const why = client.addr.type === 'failed' ? ` (${client.addr.cause})` : ''
  return new RouterError(
    'ERR_NO_ENDPOINTS',
    `No hosts are available for ${client.id}${why}\n\nservice name: ${name}\nclient name: ${client.id}`,
  )
}

const CONNECT_CODES = new Set([
  'ECONNREFUSED',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ETIMEDOUT',
  'UND_ERR_CONNECT_TIMEOUT',
])

/** The transport's own bounds (router/h1/pool.ts, connection.ts): their router errors. */
const BOUND_CODES: Readonly<Record<string, RouterErrorCode>> = {
  RESPONSE_TIMEOUT: 'ERR_RESPONSE_TIMEOUT',
  POOL_QUEUE_FULL: 'ERR_POOL_QUEUE_FULL',
}

/**
 * 502: the upstream exchange failed before a response started (`ERR_TLS_HANDSHAKE` when the
 * TLS handshake did, saying why and which name was expected); 504 when the endpoint stayed
 * silent past the response timeout; 503 when its connection pool's waiting line was full.
 */
export function upstreamError(
  err: Error,
  client: UpstreamClient,
  e: Endpoint,
  name: string,
): RouterError {
  const code = (err as { code?: string }).code ?? ''
  const addresses = client.balancer.endpoints.map((p) => p.key).join(', ')
  const context = `service name: ${name}\nclient name: ${client.id}\naddresses: [${addresses}]\nselected address: ${e.key}`
  if (CONNECT_CODES.has(code)) {
    const msg = `Unable to establish connection to ${e.key}.\n\n${context}`
    // Never written (linkerd's RetryableWriteException): a router before this one may resend it.
    return new RouterError('ERR_CONNECT', msg, { cause: err, retryable: neverSent(err) })
  }
  if (code === 'TLS_HANDSHAKE') {
    const msg = `${err.message}\n\n${context}`
    return new RouterError('ERR_TLS_HANDSHAKE', msg, { cause: err, retryable: neverSent(err) })
  }
  const bound = BOUND_CODES[code]
  if (bound !== undefined) {
    const msg = `${err.message}: ${e.key}\n\n${context}`
    return new RouterError(bound, msg, { cause: err, retryable: bound === 'ERR_POOL_QUEUE_FULL' })
  }
  const msg = `${err.message} (${code || err.name}) from ${e.key}\n\n${context}`
  return new RouterError('ERR_UPSTREAM', msg, { cause: err })
}

/** The name a failure is counted under (`failures/<name>`): a code, never free text. */
export function failureName(err: unknown): string {
  const code = (err as { code?: unknown } | undefined)?.code
  return typeof code === 'string' ? code : err instanceof Error ? err.name : 'unknown'
}

/**
 * The client went away before its answer was complete: the call is abandoned (its upstream
 * exchange aborted) and counted as `failures/closed`, never answered.
 */
export class ClientClosedError extends Error {
  readonly code = 'closed'
  constructor() {
    super('the client closed the connection')
  }
}

/** Finagle's duration text: `10.seconds`, `1500.milliseconds`. */
export function finagleDuration(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}.seconds` : `${ms}.milliseconds`
}
