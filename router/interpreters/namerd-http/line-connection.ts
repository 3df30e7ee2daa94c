/**
 * One HTTP/1.1 GET of a namerd watch stream, read as lines: the transport under `NamerdWatch`
 * (watch.ts), which owns retries, parsing and de-duplication. node:http only, so that the
 * router does not depend on undici or fastify.
 */
import { request, type Agent, type ClientRequest, type IncomingMessage } from 'node:http'
import { errorMessage } from '../../../lib/errors.js'
import { LineSplitter } from './line-splitter.js'

/** How much of a non-200 body is kept for the failure reason. */
const MAX_ERROR_BODY_CHARS = 1024

export interface LineConnectionOptions {
  /** A keep-alive-less agent: a watch stream is never reused, and close() must free its socket. */
  readonly agent: Agent
  /** No answer's head within this long: the connection is dead (namerd answers at once). */
  readonly openTimeoutMs: number
  /** After the head, no byte (document or heartbeat) for this long: the connection is dead. */
  readonly deadAfterMs: number
  /** A longer line is a protocol error. */
  readonly maxLineBytes: number
}

/** What a connection reports. None of them is called after `close()`. */
export interface LineHandlers {
  /** The server answered 200; lines follow. */
  readonly onOpen: () => void
  /** One line that is not blank (blank lines are heartbeats: they only keep the connection alive). */
  readonly onLine: (line: string) => void
  /** The connection failed or ended, and is already closed. Called at most once. */
  readonly onFail: (reason: string) => void
}

/**
 * Starts `GET url` with `Accept: application/json` at once. Anything but a 200, a network
 * error, no answer within `openTimeoutMs`, the end of the body, a line longer than
 * `maxLineBytes` or, once answered, `deadAfterMs` without a byte
 * closes the connection and calls `onFail` with a reason (a non-200 reason holds the status and
 * the start of the body). `close()` frees the socket and the timer; it is idempotent.
 */
export class LineConnection {
  readonly #handlers: LineHandlers
  readonly #req: ClientRequest
  #dead: NodeJS.Timeout
  #done = false

  /** Throws (Node's `ERR_INVALID_PROTOCOL`) when `url` is not an http: URL; nothing is left open. */
  constructor(url: URL, o: LineConnectionOptions, handlers: LineHandlers) {
    this.#handlers = handlers
    this.#req = request(url, { agent: o.agent, headers: { accept: 'application/json' } })
    this.#req.on('error', (e) => this.#fail(errorMessage(e)))
    this.#req.on('response', (res) => {
      clearTimeout(this.#dead)
      this.#dead = setTimeout(() => this.#fail(`no byte for ${o.deadAfterMs} ms`), o.deadAfterMs)
      this.#response(res, o.maxLineBytes)
    })
    const noAnswer = `no answer within ${o.openTimeoutMs} ms`
    this.#dead = setTimeout(() => this.#fail(noAnswer), o.openTimeoutMs)
    this.#req.end()
  }

  close(): void {
    this.#done = true
    clearTimeout(this.#dead)
    this.#req.destroy()
  }

  #fail(reason: string): void {
    if (this.#done) return
    this.close()
    this.#handlers.onFail(reason)
  }

  #response(res: IncomingMessage, maxLineBytes: number): void {
    res.on('error', (e) => this.#fail(`the stream broke: ${errorMessage(e)}`))
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
      if (overflow) this.#fail(`a line longer than ${maxLineBytes} bytes`)
    })
    res.on('end', () => this.#fail('the stream ended'))
    res.on('close', () => this.#fail('the connection closed'))
  }

  /** Reads the start of the error body, then fails with the status and it. */
  #refused(res: IncomingMessage): void {
    let body = ''
    const refuse = (): void => {
      const status = `${res.statusCode ?? '?'} ${res.statusMessage ?? ''}`.trim()
      const text = body.trim().slice(0, MAX_ERROR_BODY_CHARS)
      this.#fail(`namerd answered ${status}${text === '' ? '' : `: ${text}`}`)
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
