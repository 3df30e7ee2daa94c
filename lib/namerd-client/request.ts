/**
 * One request to namerd's HTTP API, and how every request of this client starts: node:http /
 * node:https rather than global `fetch`. A CLI pays for fetch twice: ~70 ms to load undici on
 * the first call, and ~130 ms at exit while V8 finishes compiling undici's WebAssembly parser
 * (namerctl's commands took ~0.2 s longer); the router does not load undici at all.
 */
import type { ClientRequest, IncomingMessage, RequestOptions } from 'node:http'
import { request as httpsRequest } from 'node:https'
import { CodedError, errorMessage } from '../errors.js'
import { http } from '../node-http.js'
import { tlsFailureText, tlsRequestOptions, type NamerdTls } from './tls.js'

/** Starts a request by the URL's scheme; throws Node's `ERR_INVALID_PROTOCOL` unless http(s):. */
export function startRequest(url: URL, options: RequestOptions): ClientRequest {
  return url.protocol === 'https:' ? httpsRequest(url, options) : http.request(url, options)
}

export interface HttpRequest {
  /** Default `GET`. */
  readonly method?: string
  readonly url: string
  readonly headers?: Readonly<Record<string, string>>
  /** Text sent as is (the caller sets its `content-type`). */
  readonly body?: string
  /** For the whole exchange: connecting, sending, and reading the whole answer. */
  readonly timeoutMs: number
  /** For `https:` URLs: the CAs, client certificate and name to check (default: Node's). */
  readonly tls?: NamerdTls | undefined
}

/** A whole answer, whatever its status. */
export interface HttpReply {
  readonly status: number
  readonly statusText: string
  /** Names in lower case; a repeated header's values joined with `, `. */
  readonly headers: Readonly<Record<string, string>>
  readonly body: string
}

/** namerd gave no answer: refused, DNS failure, reset, or silent for the timeout. */
export class UnreachableError extends CodedError {
  readonly code = 'ERR_NAMERD_UNREACHABLE'
  constructor(
    /** `host:port` (or the URL, when it did not parse). */
    readonly host: string,
    /** `connect ECONNREFUSED 127.0.0.1:4180`, `no answer within 10000 ms`, … */
    readonly reason: string,
    readonly timedOut: boolean,
    options?: ErrorOptions,
  ) {
    super(`namerd at ${host} is unreachable: ${reason}`, options)
  }
}

/**
 * Sends `req` and reads the whole answer within `timeoutMs`. Any status is a value; no answer
 * (in time) rejects with `UnreachableError`, and so does a URL that is not http(s):.
 */
export async function send(req: HttpRequest): Promise<HttpReply> {
  const timeout = new AbortController()
  const timer = setTimeout(() => timeout.abort(), req.timeoutMs)
  try {
    const res = await answer(req, timeout.signal)
    const chunks: Buffer[] = []
    for await (const chunk of res) chunks.push(chunk as Buffer)
    const body = Buffer.concat(chunks).toString('utf8')
    const statusText = res.statusMessage ?? ''
    return { status: res.statusCode ?? 0, statusText, headers: headersOf(res), body }
  } catch (e) {
    const timedOut = timeout.signal.aborted
    const reason = timedOut ? `no answer within ${req.timeoutMs} ms` : failureCause(e)
    throw new UnreachableError(hostOf(req.url), reason, timedOut, { cause: e })
  } finally {
    clearTimeout(timer)
  }
}

/** The answer's head; its body is still to be read. */
function answer(req: HttpRequest, signal: AbortSignal): Promise<IncomingMessage> {
  const headers: Record<string, string> = { ...req.headers }
  if (req.body !== undefined) headers['content-length'] = String(Buffer.byteLength(req.body))
  return new Promise((resolve, reject) => {
    const url = new URL(req.url)
    const tls = tlsRequestOptions(url, req.tls, true)
    const out = startRequest(url, { ...tls, method: req.method ?? 'GET', headers, signal })
    out.on('response', resolve)
    out.on('error', reject)
    out.end(req.body)
  })
}

function hostOf(url: string): string {
  return URL.canParse(url) ? new URL(url).host : url
}

/** Node's header record with one string per name. */
export function headersOf(res: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [name, value] of Object.entries(res.headers)) {
    if (value !== undefined) out[name] = Array.isArray(value) ? value.join(', ') : value
  }
  return out
}

/** Why a request got no answer: a failed TLS handshake in words, or the network's message. */
export function failureCause(e: unknown): string {
  return tlsFailureText(e) ?? networkCause(e)
}

/** The most specific message of a network failure (`connect ECONNREFUSED 127.0.0.1:4180`). */
export function networkCause(e: unknown): string {
  let at: unknown = e
  while (at instanceof Error && at.cause !== undefined) at = at.cause
  // Node's "happy eyeballs" connect fails with an AggregateError whose own message is empty.
  if (at instanceof AggregateError && at.errors.length > 0) at = at.errors[0]
  const code = typeof at === 'object' && at !== null && 'code' in at ? String(at.code) : ''
  const message = errorMessage(at)
  return message !== '' ? message : code !== '' ? code : errorMessage(e)
}
