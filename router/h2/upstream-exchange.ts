import { constants, type ClientHttp2Session, type ClientHttp2Stream } from 'node:http2'
import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http2'
import { UpstreamError, type ResponseHandler, type UpstreamRequest } from '../core/handler.js'
import { pipeBody } from './upstream-body.js'
import { flatFields } from './upstream-headers.js'

const { NGHTTP2_CANCEL, NGHTTP2_NO_ERROR } = constants

/** What an exchange's stream tells its session. */
export interface StreamOwner {
  /** The stream is closed: its place is free. */
  streamClosed(x: H2Exchange): void
  /** Why a stream that closed with no complete answer failed (`err`: the stream's error). */
  failureOf(x: H2Exchange, stream: ClientHttp2Stream, err: Error | undefined): Error
}

/**
 * One request on its HTTP/2 stream: the request's head and body out (the body read only once
 * the stream has its id, so a request whose session never connected keeps its body whole), the
 * answer in with flow control (a handler that returns false pauses the stream, and with it the
 * endpoint's flow-control window, until `resume`), then trailers. `abort` resets the stream.
 */
export class H2Exchange {
  /** No more calls to the handler. */
  done = false
  /** The request's last byte is handed to the stream (the response timeout runs from here). */
  requestSent: boolean
  /** The response head arrived. */
  headed = false
  /** The watchdog's clock when the request was sent. */
  sentAt = 0
  /** Set while waiting in line, so `abort` can take the exchange out of it. */
  cancel: ((err: Error) => void) | undefined
  private stream: ClientHttp2Stream | undefined
  private owner: StreamOwner | undefined
  private trailers: string[] | undefined
  private error: Error | undefined

  constructor(
    readonly request: UpstreamRequest,
    readonly handler: ResponseHandler,
  ) {
    this.requestSent = request.body === null
  }

  /**
   * Opens the stream on `session` and sends the request. Returns why node:http2 refused to open
   * it, if it did (the exchange has failed with that, and no stream will close); else undefined.
   */
  start(
    session: ClientHttp2Session,
    headers: OutgoingHttpHeaders,
    owner: StreamOwner,
  ): UpstreamError | undefined {
    this.cancel = undefined
    const body = this.request.body
    let stream: ClientHttp2Stream
    // Asked first: node:http2 destroys the session itself when it refuses a request.
    const sessionGone = session.destroyed || session.closed
    try {
      stream = session.request(headers, { endStream: body === null })
    } catch (e) {
      const refused = requestRefused(e as Error, sessionGone)
      this.fail(refused)
      return refused
    }
    this.stream = stream
    this.owner = owner
    ;(stream as ExchangeStream)[EXCHANGE] = this
    // Shared listeners (the exchange found on the stream): no closures allocated per stream.
    stream.on('response', onResponse)
    stream.on('data', onData)
    stream.on('trailers', onTrailers)
    stream.on('end', onEnd)
    stream.on('error', onError)
    stream.on('close', onClose)
    if (body === null) return undefined
    if (Buffer.isBuffer(body)) {
      stream.end(body)
      this.requestSent = true
    } else if (stream.pending) stream.once('ready', () => pipeBody(this, body, stream))
    else pipeBody(this, body, stream)
    return undefined
  }

  /** The id the endpoint knows the stream by (undefined: not yet, or never, given one). */
  get streamId(): number | undefined {
    return this.stream?.id
  }

  /** Ends the exchange with `err`, resetting its stream (with `err.rstCode` if it has one). */
  abort(err: Error): void {
    if (this.cancel !== undefined) return this.cancel(err)
    this.reset(rstCodeOf(err))
    this.fail(err)
  }

  /** Resets the stream toward the endpoint (no-op once closed). */
  reset(code: number): void {
    const s = this.stream
    if (s !== undefined && !s.closed && !s.destroyed) s.close(code)
  }

  // BodySource: the streamed body's sender reports here.
  sent(): void {
    this.requestSent = true
  }

  broken(err: Error): void {
    this.reset(NGHTTP2_CANCEL)
    this.fail(new UpstreamError('REQUEST_BODY', `the request body failed: ${err.message}`))
  }

  fail(err: Error): void {
    if (this.done) return
    this.done = true
    this.handler.onError(err)
  }

  /** The stream's answer chunk: to the handler, the stream paused when it wants no more. */
  data(chunk: Buffer): void {
    if (!this.done && !this.handler.onData(chunk)) this.stream?.pause()
  }

  trailed(t: IncomingHttpHeaders): void {
    this.trailers = flatFields(t)
  }

  errored(e: Error): void {
    this.error ??= e
  }

  closed(): void {
    const owner = this.owner as StreamOwner
    owner.streamClosed(this)
    if (!this.done) this.fail(owner.failureOf(this, this.stream as ClientHttp2Stream, this.error))
  }

  head(h: IncomingHttpHeaders): void {
    if (this.done) return
    this.headed = true
    const stream = this.stream as ClientHttp2Stream
    const status = Number(h[':status'])
    if (!this.handler.onHeaders(status, flatFields(h), this.resume)) stream.pause()
  }

  complete(): void {
    if (this.done) return
    // A reset ends the readable side too: the stream's 'close' says why it failed.
    const rst = this.stream?.rstCode
    if (rst !== undefined && rst !== NGHTTP2_NO_ERROR) return
    if (!this.headed) return this.fail(noHead())
    this.done = true
    // The endpoint answered before the request's end: the rest is of no use to it (RFC 9113 8.1).
    if (!this.requestSent) this.reset(NGHTTP2_NO_ERROR)
    this.handler.onComplete(this.trailers)
  }

  private readonly resume = (): void => {
    this.stream?.resume()
  }
}

const EXCHANGE = Symbol('h2 exchange')

/** A stream carrying its exchange, for the shared listeners below. */
interface ExchangeStream extends ClientHttp2Stream {
  [EXCHANGE]: H2Exchange
}

function onResponse(this: ExchangeStream, h: IncomingHttpHeaders): void {
  this[EXCHANGE].head(h)
}

function onData(this: ExchangeStream, chunk: Buffer): void {
  this[EXCHANGE].data(chunk)
}

function onTrailers(this: ExchangeStream, t: IncomingHttpHeaders): void {
  this[EXCHANGE].trailed(t)
}

function onEnd(this: ExchangeStream): void {
  this[EXCHANGE].complete()
}

function onError(this: ExchangeStream, e: Error): void {
  this[EXCHANGE].errored(e)
}

function onClose(this: ExchangeStream): void {
  this[EXCHANGE].closed()
}

/** The rst code an abort resets with: the client's own (a ClientClosedError's), else CANCEL. */
function rstCodeOf(err: Error): number {
  const code = (err as { rstCode?: unknown }).rstCode
  return typeof code === 'number' ? code : NGHTTP2_CANCEL
}

/**
 * node:http2 would not open the stream: nothing left. A session closing or gone makes it
 * unsent (another session, or endpoint, will do); a request it cannot send (a header name
 * HTTP/2 forbids) fails as is, since it would fail everywhere.
 */
function requestRefused(e: Error, sessionGone: boolean): UpstreamError {
  const code = (e as { code?: unknown }).code
  const name = typeof code === 'string' ? code : 'H2_REQUEST_REFUSED'
  return new UpstreamError(name, `the request could not be sent: ${e.message}`, {
    cause: e,
    unsent: sessionGone,
  })
}

function noHead(): UpstreamError {
  return new UpstreamError('UPSTREAM_CLOSED', 'the stream ended without a response head')
}
