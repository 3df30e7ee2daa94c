/**
 * The HTTP/2 end of a call's answer: a ResponseHandler that writes to the client's stream. The
 * head waits for the end of the current tick, so that a headers-only answer (a gRPC
 * "trailers-only" one, an error without a body) leaves as ONE HEADERS frame with END_STREAM, and
 * a small one (head, one chunk, end) with its body and trailers together. DATA is written with
 * backpressure: a client whose window is closed pauses the upstream until Node drains the
 * stream. A streamed answer is sent with `waitForTrailers`, so trailers known only at its end
 * still go out (an answer without any ends with an empty DATA frame). HEAD answers and 204/304
 * have no body.
 *
 * Resets both ways: a failure after the head resets the client's stream (with the upstream's
 * RST_STREAM code, else INTERNAL_ERROR); the client resetting its stream, or its connection
 * going away, aborts the call with a `ClientResetError` carrying the client's code, so the
 * upstream stream is reset with the same one.
 */
import {
  constants,
  type Http2Session,
  type OutgoingHttpHeaders,
  type ServerHttp2Stream,
} from 'node:http2'
import { ClientClosedError } from '../core/failures.js'
import { StreamResetError, type ResponseHandler } from '../core/handler.js'
import { h2Fields } from './fields.js'
import { refuseStream } from './refusal.js'

const { NGHTTP2_CANCEL, NGHTTP2_INTERNAL_ERROR } = constants

/** The client reset its stream (`rstCode`, CANCEL usually) or its connection went away. */
export class ClientResetError extends ClientClosedError {
  constructor(readonly rstCode: number) {
    super()
    this.message = `the client reset its stream (code ${rstCode})`
  }
}

/** What a stream's answer reports to its server (stats, the reset-flood guard). */
export interface StreamWatch {
  /** The client reset the stream before its answer was over. */
  resetReceived(): void
  /** The router reset the client's stream. */
  resetSent(): void
  /** The stream closed, however it ended. */
  streamClosed(): void
}

/** See the file header. */
export class H2Downstream implements ResponseHandler {
  private abort: ((err: Error) => void) | undefined
  private resume: (() => void) | undefined
  private head: OutgoingHttpHeaders | undefined
  private held: Buffer | undefined
  private trailers: OutgoingHttpHeaders | undefined
  /** The head went to Node (`stream.respond`). */
  responded = false
  private over = false
  private gone = false
  private draining = false
  private resetByUs = false
  /** The head went with `waitForTrailers` and the trailers have not gone yet. */
  private trailersDue = false
  /** The answer is over but the client still sends: close its stream once trailers are out. */
  private closeAfterTrailers = false
  /** Its session: a stream closed with it was not reset by the client (it went away). */
  private readonly session: Http2Session

  constructor(
    private readonly stream: ServerHttp2Stream,
    /** A HEAD request: its answer has no body. */
    private noBody: boolean,
    private readonly watch: StreamWatch,
    /** The request's `content-type`: a gRPC call's own refusals are gRPC answers. */
    private readonly contentType?: string,
  ) {
    this.session = stream.session as Http2Session
    // Shared listeners (the answer found on the stream): no closures allocated per stream
    // ('close' comes once: `once` would wrap the listener in one).
    ;(stream as AnsweredStream)[ANSWER] = this
    stream.on('close', onClose)
    stream.on('wantTrailers', onWantTrailers)
  }

  onConnect(abort: (err: Error) => void): void {
    this.abort = abort
    // The client left before the call could be aborted: stop it here.
    if (this.gone) abort(new ClientResetError(this.stream.rstCode ?? NGHTTP2_CANCEL))
  }

  onHeaders(status: number, fields: string[], resume: () => void): boolean {
    if (this.gone) return false
    this.resume = resume
    this.noBody ||= status === 204 || status === 304
    this.head = h2Fields(fields, { ':status': status })
    queueMicrotask(() => this.flush())
    return true
  }

  /** Returning false pauses the upstream until the client's window lets Node drain the stream. */
  onData(chunk: Buffer): boolean {
    if (this.gone) return false
    if (this.noBody || chunk.length === 0) return true
    if (!this.responded && this.held === undefined) {
      this.held = chunk
      return true
    }
    this.flush()
    return this.write(chunk)
  }

  onComplete(trailers?: string[]): void {
    if (this.over) return
    this.over = true
    if (this.gone) return
    const last = trailers !== undefined && trailers.length > 0 && !this.noBody
    this.trailers = last ? h2Fields(trailers, {}) : undefined
    if (this.responded) {
      if (!this.noBody) this.guard(() => this.stream.end())
    } else {
      this.respondWhole(last)
    }
    this.closeIfClientSending()
  }

  /** The whole answer is known: one HEADERS frame with END_STREAM when it is only a head. */
  private respondWhole(last: boolean): void {
    const held = this.held
    this.held = undefined
    const endStream = this.noBody || (held === undefined && !last)
    this.respond({ endStream, waitForTrailers: last })
    if (!endStream)
      this.guard(() => (held === undefined ? this.stream.end() : this.stream.end(held)))
  }

  /**
   * An answer complete before its request (RFC 9113 8.1): the client's stream is closed with
   * RST_STREAM NO_ERROR (`close()`'s default code) once the answer is out (Node waits for its
   * end; trailers go first, see sendTrailers), so the client stops sending and the rest of its
   * body is dropped, not held unread for ever with its stream slot. Node does this itself only
   * for a stream whose body was never read.
   */
  private closeIfClientSending(): void {
    const s = this.stream
    if (s.endAfterHeaders || s.readableEnded || s.destroyed || s.closed || halfClosed(s)) return
    if (this.trailersDue) this.closeAfterTrailers = true
    else this.guard(() => s.close())
  }

  onError(err: Error): void {
    if (this.over) return
    this.over = true
    this.held = undefined
    if (this.gone) return
    if (err instanceof ClientClosedError) return this.reset(NGHTTP2_CANCEL)
    this.reset(rstCodeOf(err))
  }

  /**
   * The request took too long to arrive (H2ServerOptions.receiveTimeoutMs): answered 408 with
   * `message` here, as the HTTP/1.1 server does, and its call aborted.
   */
  expire(message: string): void {
    if (this.responded || this.over) return
    this.over = this.gone = true
    refuseStream(this.stream, 408, message, this.contentType)
    this.abort?.(new ClientResetError(NGHTTP2_CANCEL))
  }

  /** The client's stream is over (reset, or its session gone) before the call was routed. */
  get closedEarly(): boolean {
    return this.stream.closed || this.stream.destroyed
  }

  /** The client sent END_STREAM, or the answer has begun (the receive timeout no longer runs). */
  get received(): boolean {
    if (this.responded || this.over || this.stream.destroyed) return true
    return this.stream.readableEnded || halfClosed(this.stream)
  }

  /** Sends the head that waited for the end of the tick (and the chunk held with it). */
  private flush(): void {
    if (this.responded || this.over || this.gone || this.head === undefined) return
    this.respond({ endStream: this.noBody, waitForTrailers: !this.noBody })
    const held = this.held
    this.held = undefined
    if (held !== undefined) this.write(held)
  }

  private respond(options: { endStream: boolean; waitForTrailers: boolean }): void {
    this.responded = true
    this.trailersDue = options.waitForTrailers && !options.endStream
    const head = this.head as OutgoingHttpHeaders
    this.guard(() => this.stream.respond(head, options))
  }

  private write(chunk: Buffer): boolean {
    let ok = true
    this.guard(() => (ok = this.stream.write(chunk)))
    if (ok || this.gone) return !this.gone
    if (!this.draining && this.resume !== undefined) {
      this.draining = true
      const resume = this.resume
      this.stream.once('drain', () => {
        this.draining = false
        resume()
      })
    }
    return false
  }

  sendTrailers(): void {
    const trailers = this.trailers ?? {}
    this.trailersDue = false
    this.guard(() => this.stream.sendTrailers(trailers))
    // Not in this tick: a RST_STREAM submitted in 'wantTrailers' goes out before the trailers.
    if (this.closeAfterTrailers) setImmediate(() => this.guard(() => this.stream.close()))
  }

  private reset(code: number): void {
    if (this.stream.destroyed || this.stream.closed) return
    this.resetByUs = true
    this.watch.resetSent()
    try {
      this.stream.close(code)
    } catch {
      this.stream.destroy()
    }
  }

  /**
   * Runs `write` on the stream unless it is gone; Node throws on a stream its session closed
   * meanwhile (ERR_HTTP2_INVALID_STREAM and the like): that stream's client is gone, not the
   * router's problem.
   */
  private guard(write: () => unknown): void {
    if (this.stream.destroyed || this.stream.closed) return
    try {
      write()
    } catch {
      this.reset(NGHTTP2_INTERNAL_ERROR)
    }
  }

  /** The stream closed: if the answer was not over, the client reset it or went away. */
  closed(): void {
    this.watch.streamClosed()
    if (this.over || this.resetByUs) return
    this.gone = true
    this.held = undefined
    if (!this.session.destroyed) this.watch.resetReceived()
    this.abort?.(new ClientResetError(this.stream.rstCode ?? NGHTTP2_CANCEL))
  }
}

const ANSWER = Symbol('h2 answer')

/** A client's stream carrying its answer, for the shared listeners below. */
interface AnsweredStream extends ServerHttp2Stream {
  [ANSWER]: H2Downstream
}

function onClose(this: AnsweredStream): void {
  this[ANSWER].closed()
}

function onWantTrailers(this: AnsweredStream): void {
  this[ANSWER].sendTrailers()
}

/** The client has sent its END_STREAM (or the stream is over): nothing more will arrive. */
function halfClosed(stream: ServerHttp2Stream): boolean {
  const state = stream.state.state
  return (
    state === constants.NGHTTP2_STREAM_STATE_HALF_CLOSED_REMOTE ||
    state === constants.NGHTTP2_STREAM_STATE_CLOSED
  )
}

/** The RST_STREAM code an upstream failure calls for (its reset, perhaps wrapped as a cause). */
function rstCodeOf(err: unknown): number {
  for (let e = err, depth = 0; e instanceof Error && depth < 4; e = e.cause, depth++) {
    if (e instanceof StreamResetError) return e.rstCode
  }
  return NGHTTP2_INTERNAL_ERROR
}
