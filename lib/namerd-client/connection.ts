/**
 * One GET of a namerd watch stream, read as lines: the transport under `NamerdWatch`
 * (watch.ts), which owns retries, parsing and de-duplication.
 */
import type { ClientRequest, IncomingMessage } from 'node:http'
import { LineSplitter } from './lines.js'
import { failureCause, networkCause, startRequest } from './request.js'
import { tlsRequestOptions, type NamerdTls } from './tls.js'

/** How much of a non-200 body is kept for the failure reason. */
const MAX_ERROR_BODY_CHARS = 1024

/** Why a connection failed; `reason` is a sentence for logs and the admin page. */
export type WatchFailure =
  /** No answer: refused, DNS, reset, no head within the open timeout, or no address known. */
  | { readonly kind: 'unreachable'; readonly reason: string; readonly timedOut: boolean }
  /** An answer other than 200; `body` is its start. */
  | {
      readonly kind: 'refused'
      readonly reason: string
      readonly status: number
      readonly statusText: string
      readonly body: string
    }
  /** After a 200: the stream ended, broke, went silent, or sent what is not a document. */
  | { readonly kind: 'broken'; readonly reason: string }

export interface LineConnectionOptions {
  /** Request headers (`accept`). */
  readonly headers: Readonly<Record<string, string>>
  /** No answer's head within this long: the connection is dead (namerd answers at once). */
  readonly openTimeoutMs: number
  /** After the head, no byte (document or heartbeat) for this long: the connection is dead. */
  readonly deadAfterMs: number
  /** A longer line is a protocol error. */
  readonly maxLineBytes: number
  /** For `https:` URLs (request.ts `HttpRequest.tls`). */
  readonly tls?: NamerdTls | undefined
}

/** What a connection reports. None of them is called after `close()`. */
export interface LineHandlers {
  /** The server answered 200; lines follow. */
  readonly onOpen: () => void
  /** One line that is not blank (blank lines are heartbeats: they only keep the connection alive). */
  readonly onLine: (line: string) => void
  /** The connection failed or ended, and is already closed. Called at most once. */
  readonly onFail: (failure: WatchFailure) => void
}

/**
 * Starts `GET url` at once. Anything but a 200, a network error, no answer within
 * `openTimeoutMs`, the end of the body, a line longer than `maxLineBytes` or, once answered,
 * `deadAfterMs` without a byte closes the connection and calls `onFail` (a refusal holds the
 * status and the start of the body). Its own socket (no agent's pool): `close()` frees it and
 * the timer; it is idempotent.
 */
export class LineConnection {
  readonly #handlers: LineHandlers
  readonly #req: ClientRequest
  #dead: NodeJS.Timeout
  #answered = false
  #done = false

  /** Throws (Node's `ERR_INVALID_PROTOCOL`) unless `url` is http(s):; nothing is left open. */
  constructor(url: URL, o: LineConnectionOptions, handlers: LineHandlers) {
    this.#handlers = handlers
    const tls = tlsRequestOptions(url, o.tls, false)
    this.#req = startRequest(url, { ...tls, agent: false, headers: o.headers })
    this.#req.on('error', (e) =>
      this.#answered
        ? this.#broken(`the stream broke: ${networkCause(e)}`)
        : this.#fail({ kind: 'unreachable', reason: failureCause(e), timedOut: false }),
    )
    this.#req.on('response', (res) => {
      this.#answered = true
      clearTimeout(this.#dead)
      this.#dead = setTimeout(() => this.#broken(`no byte for ${o.deadAfterMs} ms`), o.deadAfterMs)
      this.#response(res, o.maxLineBytes)
    })
    const noAnswer = `no answer within ${o.openTimeoutMs} ms`
    const timedOut = { kind: 'unreachable', reason: noAnswer, timedOut: true } as const
    this.#dead = setTimeout(() => this.#fail(timedOut), o.openTimeoutMs)
    this.#req.end()
  }

  close(): void {
    this.#done = true
    clearTimeout(this.#dead)
    this.#req.destroy()
  }

  #fail(failure: WatchFailure): void {
    if (this.#done) return
    this.close()
    this.#handlers.onFail(failure)
  }

  #broken(reason: string): void {
    this.#fail({ kind: 'broken', reason })
  }

  #response(res: IncomingMessage, maxLineBytes: number): void {
    res.on('error', (e) => this.#broken(`the stream broke: ${networkCause(e)}`))
    if (res.statusCode !== 200) return this.#refused(res)
    this.#handlers.onOpen()
    const splitter = new LineSplitter(maxLineBytes)
    res.on('data', (chunk: Buffer) => {
      if (this.#done) return
      this.#dead.refresh()
      const { lines, overflow } = splitter.push(chunk)
      for (const line of lines) {
        if (this.#done) return
        if (line.trim() !== '') this.#handlers.onLine(line)
      }
      if (overflow) this.#broken(`a line longer than ${maxLineBytes} bytes`)
    })
    res.on('end', () => this.#broken('the stream ended'))
    res.on('close', () => this.#broken('the connection closed'))
  }

  /** Reads the start of the error body, then fails with the status and it. */
  #refused(res: IncomingMessage): void {
    let body = ''
    const refuse = (): void => {
      const status = res.statusCode ?? 0
      const statusText = res.statusMessage ?? ''
      const text = body.trim().slice(0, MAX_ERROR_BODY_CHARS)
      const reason = `namerd answered ${`${status} ${statusText}`.trim()}${text === '' ? '' : `: ${text}`}`
      this.#fail({ kind: 'refused', reason, status, statusText, body: text })
    }
    res.setEncoding('utf8')
    res.on('data', (text: string) => {
      this.#dead.refresh()
      body += text
      if (body.length >= MAX_ERROR_BODY_CHARS) refuse()
    })
    res.on('close', refuse)
  }
}
