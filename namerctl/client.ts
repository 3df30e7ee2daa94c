import {
  apiUrl,
  send as sendRequest,
  UnreachableError,
  type HttpReply,
  type NamerdTls,
} from '../lib/namerd-client/index.js'
import { errorMessage } from '../lib/errors.js'
import { NamerdError, type NamerdErrorCode } from './errors.js'

/** Where namerd is and how long one request may take. */
export interface Namerd {
  /** Base URL without trailing `/` (config.ts `resolveBaseUrl`). */
  readonly base: string
  /** Per request: connecting, sending, and reading the whole answer (not a watch's body). */
  readonly timeoutMs: number
  /** Sent as `Authorization: Bearer` on every request when set (namerctl/token.ts). */
  readonly token?: string | undefined
  /** For an `https://` base: the CA, client certificate and key given (namerctl/tls.ts). */
  readonly tls?: NamerdTls | undefined
}

/** The `authorization` header for `namerd`'s token, if it has one. */
export function authHeaders(namerd: Namerd): Readonly<Record<string, string>> {
  return namerd.token === undefined ? {} : { authorization: `Bearer ${namerd.token}` }
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

/** A whole answer from namerd (header names in lower case). */
export interface Reply extends HttpReply {
  /** `GET http://…/api/1/…`, for messages when namerd said nothing. */
  readonly request?: string
}

/** The full URL of a request. */
export function requestUrl(namerd: Namerd, req: ApiRequest): string {
  return apiUrl(namerd.base, req.path, req.query)
}

/**
 * Sends a request and reads the whole answer within the timeout. Any status is returned as a
 * value; a connection failure or timeout throws `ERR_NAMERD_UNREACHABLE` (exit 3).
 */
export async function send(namerd: Namerd, req: ApiRequest): Promise<Reply> {
  const url = requestUrl(namerd, req)
  const method = req.method ?? 'GET'
  const headers = { ...req.headers, ...authHeaders(namerd) }
  const { body } = req
  try {
    const timeoutMs = namerd.timeoutMs
    const reply = await sendRequest({ method, url, headers, body, timeoutMs, tls: namerd.tls })
    return { ...reply, request: `${method} ${url}` }
  } catch (e) {
    const why = e instanceof UnreachableError ? e : { reason: errorMessage(e), timedOut: false }
    throw unreachable(namerd, why, e)
  }
}

/** The error for a request that got no answer: refused, DNS, reset, or timed out. */
export function unreachable(
  namerd: Namerd,
  why: { readonly reason: string; readonly timedOut: boolean },
  cause?: unknown,
): NamerdError {
  const message = why.timedOut
    ? `namerd at ${namerd.base} did not answer within ${namerd.timeoutMs} ms`
    : `cannot reach namerd at ${namerd.base}: ${why.reason}`
  return new NamerdError('ERR_NAMERD_UNREACHABLE', message, { cause })
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

/** What namerctl says on 401 and 403 (namerd's own words follow in parentheses). */
const NOT_AUTHORISED: Readonly<Record<number, string>> = {
  401: 'namerd requires a token: give --token-file FILE, NAMERCTL_TOKEN or token-file in the config file (or a client certificate it allows: --tls-cert and --tls-key)',
  403: "namerd refused the token or client certificate given (--token-file, NAMERCTL_TOKEN or the config file's token-file; --tls-cert or tls-cert)",
}

/**
 * The error for an answer that is not a success: 401 and 403 not authorised, 400 rejected
 * (namerd's message), 404 not found, 409 exists, 412 version conflict, 503 unavailable,
 * anything else `unexpected response: <status> <text>` (with namerd's message after a colon,
 * if any).
 */
export function statusError(reply: Reply, messages: StatusMessages = {}): NamerdError {
  const said = oneLine(reply.body)
  const refusal = NOT_AUTHORISED[reply.status]
  if (refusal !== undefined) {
    return new NamerdError('ERR_NOT_AUTHORISED', said === '' ? refusal : `${refusal} (${said})`)
  }
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
