/**
 * The `test.Echo` server (echo-service.ts) on grpc-js, on 127.0.0.1. Every reply names the
 * backend, in its body and in the `x-backend` trailer; the backend counts what it saw, including
 * the calls cancelled while it worked on them (a client's cancel or an expired deadline that
 * reached it). Run as its own process by echo-main.ts / echo-process.ts.
 */
import {
  Metadata,
  Server,
  ServerCredentials,
  type ServerDuplexStream,
  type ServerReadableStream,
  type ServerUnaryCall,
  type ServerWritableStream,
  type sendUnaryData,
} from '@grpc/grpc-js'
import type { ServerHttp2Stream } from 'node:http2'
import { constants } from 'node:http2'
import { echoService, pattern, sha256, type EchoReply, type EchoRequest } from './echo-service.js'

/** The largest message either side takes (a 16 MiB payload and its head fit). */
export const MAX_MESSAGE_BYTES = 64 * 1024 * 1024

/** What the backend saw since it started. */
export interface EchoCounts {
  /** Calls received, by method name. */
  readonly calls: Readonly<Record<string, number>>
  /** Calls cancelled before the backend answered, by method name. */
  readonly cancelled: Readonly<Record<string, number>>
  /** Calls being worked on now, and the most at once. */
  readonly inFlight: number
  readonly peakInFlight: number
}

type Unary = ServerUnaryCall<EchoRequest, EchoReply>

/** A running Echo server. */
export class EchoBackend {
  readonly #calls: Record<string, number> = {}
  readonly #cancelled: Record<string, number> = {}
  #inFlight = 0
  #peak = 0

  private constructor(
    readonly name: string,
    readonly port: number,
    private readonly server: Server,
  ) {}

  /** Listens on 127.0.0.1:`port` (0: the kernel chooses). */
  static async start(name: string, port: number): Promise<EchoBackend> {
    const server = new Server({
      'grpc.max_receive_message_length': MAX_MESSAGE_BYTES,
      'grpc.max_send_message_length': MAX_MESSAGE_BYTES,
    })
    const bound = await new Promise<number>((resolve, reject) =>
      server.bindAsync(`127.0.0.1:${port}`, ServerCredentials.createInsecure(), (e, p) =>
        e === null ? resolve(p) : reject(e),
      ),
    )
    const backend = new EchoBackend(name, bound, server)
    server.addService(echoService, backend.#handlers())
    return backend
  }

  counts(): EchoCounts {
    return {
      calls: { ...this.#calls },
      cancelled: { ...this.#cancelled },
      inFlight: this.#inFlight,
      peakInFlight: this.#peak,
    }
  }

  /** Stops at once: open calls are cancelled. */
  close(): void {
    this.server.forceShutdown()
  }

  /**
   * Counts a call in; the function returned counts it out (false if it was already: cancelled).
   * `onCancel` runs when the call is cancelled before that.
   */
  #begin(method: string, call: { on(e: 'cancelled', f: () => void): unknown }, onCancel = noop) {
    this.#calls[method] = (this.#calls[method] ?? 0) + 1
    this.#peak = Math.max(this.#peak, ++this.#inFlight)
    let open = true
    const finish = (): boolean => {
      if (open) this.#inFlight--
      const was = open
      open = false
      return was
    }
    call.on('cancelled', () => {
      if (!finish()) return
      this.#cancelled[method] = (this.#cancelled[method] ?? 0) + 1
      onCancel()
    })
    return finish
  }

  #trailers(): Metadata {
    const m = new Metadata()
    m.set('x-backend', this.name)
    return m
  }

  #handlers() {
    return {
      Unary: (call: Unary, done: sendUnaryData<EchoReply>) => this.#unary(call, done),
      ServerStream: (call: ServerWritableStream<EchoRequest, EchoReply>) =>
        this.#serverStream(call),
      ClientStream: (
        call: ServerReadableStream<EchoRequest, EchoReply>,
        done: sendUnaryData<EchoReply>,
      ) => this.#clientStream(call, done),
      Bidi: (call: ServerDuplexStream<EchoRequest, EchoReply>) => this.#bidi(call),
      Hang: (call: Unary) => void this.#begin('Hang', call),
      Reset: (call: Unary) => this.#reset(call),
    }
  }

  #unary(call: Unary, done: sendUnaryData<EchoReply>): void {
    const req = call.request
    let timer: NodeJS.Timeout | undefined
    const finish = this.#begin('Unary', call, () => clearTimeout(timer))
    const answer = (): void => {
      if (!finish()) return
      if (req.failCode !== undefined) {
        const details = req.failMessage ?? `${this.name} failed as asked`
        return done({ code: req.failCode, details, metadata: this.#trailers() })
      }
      done(null, this.#unaryReply(call), this.#trailers())
    }
    if (req.delayMs === undefined) answer()
    else timer = setTimeout(answer, req.delayMs)
  }

  #unaryReply(call: Unary): EchoReply {
    const { text, body, replyBytes } = call.request
    return {
      backend: this.name,
      ...(text === undefined ? {} : { text }),
      received: body?.length ?? 0,
      receivedSha256: sha256(body ?? Buffer.alloc(0)),
      hadDeadline: call.getDeadline() !== Infinity,
      ...(replyBytes === undefined ? {} : { body: pattern(replyBytes) }),
    }
  }

  #serverStream(call: ServerWritableStream<EchoRequest, EchoReply>): void {
    const finish = this.#begin('ServerStream', call)
    const { count = 3, text } = call.request
    for (let seq = 0; seq < count && !call.cancelled; seq++) {
      call.write({ backend: this.name, seq, ...(text === undefined ? {} : { text }) })
    }
    if (finish()) call.end(this.#trailers())
  }

  #clientStream(
    call: ServerReadableStream<EchoRequest, EchoReply>,
    done: sendUnaryData<EchoReply>,
  ) {
    const finish = this.#begin('ClientStream', call)
    let [messages, received, text] = [0, 0, '']
    call.on('data', (m: EchoRequest) => {
      messages++
      received += m.body?.length ?? 0
      text += m.text ?? ''
    })
    call.on('end', () => {
      if (finish()) done(null, { backend: this.name, messages, received, text }, this.#trailers())
    })
  }

  #bidi(call: ServerDuplexStream<EchoRequest, EchoReply>): void {
    const finish = this.#begin('Bidi', call)
    let seq = 0
    call.on('data', (m: EchoRequest) => {
      call.write({
        backend: this.name,
        seq: seq++,
        ...(m.text === undefined ? {} : { text: m.text }),
      })
    })
    call.on('end', () => {
      if (finish()) call.end(this.#trailers())
    })
  }

  /** Resets the call's HTTP/2 stream with the code asked for, after the head unless told not. */
  #reset(call: Unary): void {
    const finish = this.#begin('Reset', call)
    const { rstCode = constants.NGHTTP2_INTERNAL_ERROR, afterHead = true } = call.request
    const stream = http2StreamOf(call)
    finish()
    if (!afterHead) return void stream.close(rstCode)
    call.sendMetadata(this.#trailers())
    setTimeout(() => stream.close(rstCode), 20)
  }
}

function noop(): void {}

/**
 * The HTTP/2 stream under a grpc-js server call. grpc-js offers no public way to reset a call's
 * stream with a chosen code (cancelling answers a status instead), so this reads its internal
 * field, and fails loudly if a grpc-js version moved it (the Reset tests then fail, not pass).
 */
function http2StreamOf(call: Unary): ServerHttp2Stream {
  const inner = (call as unknown as { call?: { stream?: ServerHttp2Stream } }).call
  const stream = inner?.stream
  if (stream === undefined || typeof stream.close !== 'function') {
    throw new Error('grpc-js internals changed: no HTTP/2 stream under the server call')
  }
  return stream
}
