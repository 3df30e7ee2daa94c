/**
 * An answer held back from the client until its outcome is known (linkerd h2's response
 * buffer): a gRPC call's status comes in its trailers, so the retry step keeps the head and the
 * body chunks until the stream ends, then either drops them (the attempt is retried) or lets
 * them go, in order, trailers last. Holding is bounded: past `limitBytes` of body, or once
 * `timeoutMs` passed without the end, what is held goes to the client and the rest follows as
 * it comes (no retry then). While the held chunks go out the client's backpressure holds: the
 * endpoint stays paused until the client has read them.
 */
import type { ResponseHandler } from '../handler.js'

const HOLDING = 0
/** Held chunks going to the client; new ones queue behind them, the endpoint paused. */
const FLUSHING = 1
/** Everything held is out: chunks go straight through. */
const PASSING = 2

/** Why holding stopped before the stream's end (linkerd's `retries/*` counter names). */
export type GaveUp = 'response_stream_too_long' | 'classification_timeout'

export class HeldAnswer {
  private state = HOLDING
  private readonly chunks: Buffer[] = []
  /** The next chunk of `chunks` to send once flushing. */
  private sent = 0
  private bytes = 0
  private ended = false
  private trailers: string[] | undefined
  /** We told the endpoint to pause (returned false): it waits for its `resume`. */
  private paused = false
  private readonly timer: ReturnType<typeof setTimeout>

  constructor(
    private readonly inner: ResponseHandler,
    readonly status: number,
    readonly fields: string[],
    /** The endpoint's resume, for when we paused it. */
    private readonly resumeEndpoint: () => void,
    private readonly limitBytes: number,
    timeoutMs: number,
    /** Holding stopped before the end: the answer goes to the client unclassified. */
    private readonly gaveUp: (why: GaveUp) => void,
  ) {
    this.timer = setTimeout(() => this.giveUp('classification_timeout'), timeoutMs)
  }

  /** Whether the answer is still held (the client has seen nothing of it). */
  get holding(): boolean {
    return this.state === HOLDING
  }

  /** A body chunk; false: the endpoint is to pause until resumed. */
  data(chunk: Buffer): boolean {
    if (this.state === PASSING) {
      if (this.inner.onData(chunk)) return true
      this.paused = true
      return false
    }
    this.chunks.push(chunk)
    if (this.state === FLUSHING) {
      this.paused = true
      return false
    }
    this.bytes += chunk.length
    if (this.bytes <= this.limitBytes) return true
    this.giveUp('response_stream_too_long')
    if (this.state === PASSING) return true
    this.paused = true
    return false
  }

  /** The stream ended and is not retried: the client gets all of it, trailers last. */
  complete(trailers: string[] | undefined): void {
    this.ended = true
    this.trailers = trailers
    if (this.state === HOLDING) this.release()
    else if (this.state === PASSING) this.inner.onComplete(trailers)
    // FLUSHING: the last drain completes it.
  }

  /** The answer is not the client's (a retry, an error): let go of it. */
  drop(): void {
    clearTimeout(this.timer)
    this.chunks.length = 0
    this.paused = false
    this.state = PASSING
  }

  private giveUp(why: GaveUp): void {
    if (this.state !== HOLDING) return
    this.gaveUp(why)
    this.release()
  }

  /** The head, then the held chunks (as far as the client takes them now). */
  private release(): void {
    clearTimeout(this.timer)
    this.state = FLUSHING
    if (this.inner.onHeaders(this.status, this.fields, () => this.drain())) this.flush()
  }

  /** Sends held chunks until the client pushes back; completes once all are out and it ended. */
  private flush(): boolean {
    const { chunks, inner } = this
    while (this.sent < chunks.length) {
      const chunk = chunks[this.sent++] as Buffer
      if (!inner.onData(chunk)) return false
    }
    chunks.length = 0
    this.sent = 0
    this.state = PASSING
    if (this.ended) inner.onComplete(this.trailers)
    return true
  }

  /** The client read what it had: go on flushing, then let the endpoint send again. */
  private drain(): void {
    if (this.state === FLUSHING && !this.flush()) return
    if (!this.paused || this.state !== PASSING) return
    this.paused = false
    this.resumeEndpoint()
  }
}
