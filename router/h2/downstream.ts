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
  /** The stream closed (its answer is over, or the client or session is gone). */
  streamClosed(d: H2Downstream): void
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
  /** When the stream opened (`Date.now()`), for the receive timeout. */
  readonly opened = Date.now()
  /** Its session: a stream closed with it was not reset by the client (it went away). */
  private readonly session: Http2Session

  constructor(
    private readonly stream: ServerHttp2Stream,
    /** A HEAD request: its answer has no body. */
    private noBody: boolean,
    private readonly watch: StreamWatch,
  ) {
    this.session = stream.session as Http2Session
    ;(stream as DownstreamStream)[DOWNSTREAM] = this
    // Shared listeners (the answer found on the stream): no closures allocated per stream.
    stream.once('close', onClose)
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
      if (!this.noBody) this.end(undefined)
      return
    }
    // The whole answer is known: one HEADERS frame with END_STREAM when it is only a head.
    const held = this.held
    this.held = undefined
    const endStream = this.noBody || (held === undefined && !last)
    this.respond({ endStream, waitForTrailers: last })
    if (!endStream) this.end(held)
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
    refuseStream(this.stream, 408, message)
    this.abort?.(new ClientResetError(NGHTTP2_CANCEL))
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

  // respond, end, write and sendTrailers each guard Node's call (see `writable`) with their own
  // try/catch rather than a closure passed to one guard: no closure allocated per call.
  private respond(options: { endStream: boolean; waitForTrailers: boolean }): void {
    this.responded = true
    if (!this.writable()) return
    try {
      this.stream.respond(this.head as OutgoingHttpHeaders, options)
    } catch {
      this.reset(NGHTTP2_INTERNAL_ERROR)
    }
  }

  private end(chunk: Buffer | undefined): void {
    if (!this.writable()) return
    try {
      if (chunk === undefined) this.stream.end()
      else this.stream.end(chunk)
    } catch {
      this.reset(NGHTTP2_INTERNAL_ERROR)
    }
  }

  private write(chunk: Buffer): boolean {
    let ok = true
    if (this.writable()) {
      try {
        ok = this.stream.write(chunk)
      } catch {
        this.reset(NGHTTP2_INTERNAL_ERROR)
      }
    }
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
    if (!this.writable()) return
    try {
      this.stream.sendTrailers(this.trailers ?? {})
    } catch {
      this.reset(NGHTTP2_INTERNAL_ERROR)
    }
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
   * Whether the stream still takes writes. Node also throws on a stream its session closed
   * meanwhile (ERR_HTTP2_INVALID_STREAM and the like): each write catches that and resets the
   * stream, since that stream's client is gone, not the router's problem.
   */
  private writable(): boolean {
    return !this.stream.destroyed && !this.stream.closed
  }

  /** The stream closed: if the answer was not over, the client reset it or went away. */
  closed(): void {
    this.watch.streamClosed(this)
    if (this.over || this.resetByUs) return
    this.gone = true
    this.held = undefined
    if (!this.session.destroyed) this.watch.resetReceived()
    this.abort?.(new ClientResetError(this.stream.rstCode ?? NGHTTP2_CANCEL))
  }
}

const DOWNSTREAM = Symbol('h2 downstream')

/** A client's stream carrying its answer, for the shared listeners below. */
interface DownstreamStream extends ServerHttp2Stream {
  [DOWNSTREAM]: H2Downstream
}

function onClose(this: DownstreamStream): void {
  this[DOWNSTREAM].closed()
}

function onWantTrailers(this: DownstreamStream): void {
  this[DOWNSTREAM].sendTrailers()
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
