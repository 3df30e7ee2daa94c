import { errorMessage } from '../lib/errors.js'
import { apiUrl } from './config.js'
import { NamerdError, type NamerdErrorCode } from './errors.js'
import { headersOf, readText, request, responseOf, type HttpRequest } from './http.js'

/** Where namerd is and how long one request may take. */
export interface Namerd {
  /** Base URL without trailing `/` (config.ts `resolveBaseUrl`). */
  readonly base: string
  /** Per request: connecting, sending, and reading the whole answer (not a watch's body). */
  readonly timeoutMs: number
}

/** Default per-request timeout. */
export const DEFAULT_TIMEOUT_MS = 10_000

/** One API request: `path` is under `/api/1/`, query values left undefined are omitted. */
export interface ApiRequest {
  readonly method?: 'GET' | 'POST' | 'PUT' | 'DELETE'
  readonly path: string
  readonly query?: Readonly<Record<string, string | undefined>>
  readonly headers?: Readonly<Record<string, string>>
  readonly body?: string
}

/** A whole answer from namerd. */
export interface Reply {
  readonly status: number
  readonly statusText: string
  readonly headers: Headers
  readonly body: string
  /** `GET http://…/api/1/…`, for messages when namerd said nothing. */
  readonly request?: string
}

/** The full URL of a request. */
export function requestUrl(namerd: Namerd, req: ApiRequest): string {
  const params = new URLSearchParams()
  for (const [k, v] of Object.entries(req.query ?? {})) if (v !== undefined) params.set(k, v)
  const qs = params.toString()
  return apiUrl(namerd.base, req.path) + (qs === '' ? '' : `?${qs}`)
}

/**
 * Sends a request and reads the whole answer within the timeout. Any status is returned as a
 * value; a connection failure or timeout throws `ERR_NAMERD_UNREACHABLE` (exit 3).
 */
export async function send(namerd: Namerd, req: ApiRequest): Promise<Reply> {
  const signal = AbortSignal.timeout(namerd.timeoutMs)
  const url = requestUrl(namerd, req)
  try {
    const res = await request(init(url, req, signal))
    const body = await readText(res, signal)
    const status = res.statusCode ?? 0
    const statusText = res.statusMessage ?? ''
    const headers = headersOf(res)
    return { status, statusText, headers, body, request: `${req.method ?? 'GET'} ${url}` }
  } catch (e) {
    throw unreachable(namerd, e)
  }
}

/**
 * Opens a request whose body the caller streams (a watch): the timeout covers the answer's
 * headers only; `signal` aborts it all. Failures as `send`.
 */
export async function open(
  namerd: Namerd,
  req: ApiRequest,
  signal: AbortSignal,
): Promise<Response> {
  const timer = new AbortController()
  const t = setTimeout(() => timer.abort(timeoutReason()), namerd.timeoutMs)
  try {
    const both = AbortSignal.any([signal, timer.signal])
    return responseOf(await request(init(requestUrl(namerd, req), req, both)))
  } catch (e) {
    throw signal.aborted ? e : unreachable(namerd, e)
  } finally {
    clearTimeout(t)
  }
}

function init(url: string, req: ApiRequest, signal: AbortSignal): HttpRequest {
  return { method: req.method ?? 'GET', url, headers: req.headers, body: req.body, signal }
}

function timeoutReason(): Error {
  return new DOMException('timed out', 'TimeoutError')
}

/** The error for a request that got no answer: refused, DNS, reset, or timed out. */
export function unreachable(namerd: Namerd, e: unknown): NamerdError {
  if (e instanceof Error && e.name === 'TimeoutError')
    return new NamerdError(
      'ERR_NAMERD_UNREACHABLE',
      `namerd at ${namerd.base} did not answer within ${namerd.timeoutMs} ms`,
      { cause: e },
    )
  return new NamerdError(
    'ERR_NAMERD_UNREACHABLE',
    `cannot reach namerd at ${namerd.base}: ${networkCause(e)}`,
    { cause: e },
  )
}

/** The most specific message of a network failure (`connect ECONNREFUSED 127.0.0.1:4180`). */
export function networkCause(e: unknown): string {
  let at: unknown = e
  while (at instanceof Error && at.cause !== undefined) at = at.cause
  if (at instanceof AggregateError && at.errors.length > 0) at = at.errors[0]
  const code = typeof at === 'object' && at !== null && 'code' in at ? String(at.code) : ''
  const message = errorMessage(at)
  return message !== '' ? message : code !== '' ? code : errorMessage(e)
}

/** Messages for statuses where the command knows better than namerd what to say. */
export type StatusMessages = Readonly<Partial<Record<400 | 404 | 409 | 412 | 503, string>>>

const BY_STATUS: Readonly<Record<number, NamerdErrorCode>> = {
  400: 'ERR_REJECTED',
  404: 'ERR_NOT_FOUND',
  409: 'ERR_ALREADY_EXISTS',
  412: 'ERR_VERSION_CONFLICT',
  503: 'ERR_NAMERD_UNAVAILABLE',
}

/**
 * The error for an answer that is not a success: 400 rejected (namerd's message), 404 not
 * found, 409 exists, 412 version conflict, 503 unavailable, anything else
 * `unexpected response: <status> <text>` (with namerd's message after a colon, if any).
 */
export function statusError(reply: Reply, messages: StatusMessages = {}): NamerdError {
  const said = oneLine(reply.body)
  const code = BY_STATUS[reply.status]
  if (code === undefined) return unexpected(reply, said)
  const given = messages[reply.status as keyof StatusMessages]
  const status = `${reply.status} ${reply.statusText}`.trim()
  const fallback = reply.request === undefined ? status : `${reply.request}: ${status}`
  return new NamerdError(code, given ?? (said !== '' ? said : fallback))
}

/** `unexpected response: 502 Bad Gateway: <what namerd said>`. */
export function unexpected(reply: Reply, detail: string): NamerdError {
  const head = `unexpected response: ${reply.status} ${reply.statusText}`.trim()
  return new NamerdError('ERR_UNEXPECTED_RESPONSE', detail === '' ? head : `${head}: ${detail}`)
}

/** namerd's text error body on one line. */
function oneLine(body: string): string {
  return body.trim().replace(/\s*\n\s*/g, ' ')
}

/** True for 2xx. */
export function isSuccess(reply: Reply): boolean {
  return reply.status >= 200 && reply.status < 300
}
