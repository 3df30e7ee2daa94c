/**
 * namerctl's HTTP client: node:http / node:https rather than global `fetch`. A CLI pays for
 * fetch twice: ~70 ms to load undici on the first call, and ~130 ms at exit while V8 finishes
 * compiling undici's WebAssembly parser, so every command took ~0.2 s longer (and a script
 * timing `namerctl dtab update` saw it return late).
 */
import { request as httpRequest, type IncomingMessage } from 'node:http'
import { request as httpsRequest } from 'node:https'
import { Readable } from 'node:stream'

export interface HttpRequest {
  readonly method: string
  readonly url: string
  readonly headers?: Readonly<Record<string, string>>
  readonly body?: string
  /** Aborts the request and its answer; the promise rejects with `signal.reason`. */
  readonly signal: AbortSignal
}

/** The answer's head; its body is still to be read (or dropped). */
export function request(req: HttpRequest): Promise<IncomingMessage> {
  const url = new URL(req.url)
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest
  const headers: Record<string, string> = { ...req.headers }
  if (req.body !== undefined) headers['content-length'] = String(Buffer.byteLength(req.body))
  return new Promise((resolve, reject) => {
    if (req.signal.aborted) return reject(req.signal.reason as Error)
    const out = send(url, { method: req.method, headers, signal: req.signal }, resolve)
    out.on('error', (e) => reject(req.signal.aborted ? (req.signal.reason as Error) : e))
    out.end(req.body)
  })
}

/** The whole body as text; rejects with `signal.reason` if aborted meanwhile. */
export async function readText(res: IncomingMessage, signal: AbortSignal): Promise<string> {
  const chunks: Buffer[] = []
  try {
    for await (const chunk of res) chunks.push(chunk as Buffer)
  } catch (e) {
    throw signal.aborted ? (signal.reason as Error) : e
  }
  return Buffer.concat(chunks).toString('utf8')
}

/** Node's header list as a fetch `Headers` (what the commands read: `etag`, …). */
export function headersOf(res: IncomingMessage): Headers {
  const h = new Headers()
  const raw = res.rawHeaders
  for (let i = 0; i + 1 < raw.length; i += 2) h.append(raw[i] as string, raw[i + 1] as string)
  return h
}

/** The answer as a fetch `Response` whose body streams (watches read it line by line). */
export function responseOf(res: IncomingMessage): Response {
  const status = res.statusCode ?? 0
  const empty = status === 204 || status === 205 || status === 304
  if (empty) res.resume()
  const body = empty ? null : (Readable.toWeb(res) as ReadableStream<Uint8Array>)
  return new Response(body, {
    status,
    statusText: res.statusMessage ?? '',
    headers: headersOf(res),
  })
}
