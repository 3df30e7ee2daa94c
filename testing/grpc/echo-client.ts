/**
 * A grpc-js client of `test.Echo` (echo-service.ts) with promise-returning calls, for the
 * end-to-end tests. Each client has its own channel and so its own HTTP/2 connection (a local
 * subchannel pool), and takes messages up to 64 MiB. A failed call rejects with grpc-js's
 * `ServiceError` (`code`, `details`, `metadata`).
 */
import {
  credentials,
  makeGenericClientConstructor,
  Metadata,
  type CallOptions,
  type ChannelOptions,
  type Client,
  type ClientDuplexStream,
  type ClientReadableStream,
  type ClientUnaryCall,
  type ClientWritableStream,
  type ServiceError,
} from '@grpc/grpc-js'
import { MAX_MESSAGE_BYTES } from './echo-backend.js'
import {
  echoMethods,
  SERVICE_NAME,
  type EchoMethods,
  type EchoReply,
  type EchoRequest,
} from './echo-service.js'

/** A call's options: a deadline (ms from now) and request metadata. */
export interface CallOpts {
  readonly deadlineMs?: number
  readonly metadata?: Record<string, string>
}

/** A single reply and the response's metadata: its headers and trailers. */
export interface Answer {
  readonly reply: EchoReply
  readonly headers: Metadata
  readonly trailers: Metadata
}

/** A stream of replies and the trailers that closed it. */
export interface Replies {
  readonly replies: EchoReply[]
  readonly trailers: Metadata
}

/** The methods makeGenericClientConstructor made (grpc-js types them as any function). */
type Generated = Record<keyof EchoMethods, (...args: unknown[]) => unknown>

export class EchoClient {
  readonly client: Client
  readonly #generated: Generated

  /**
   * A client of 127.0.0.1:`port`, calling the Echo methods under the service name `service`;
   * `options` are added to the channel's.
   */
  constructor(port: number, options: ChannelOptions = {}, service = SERVICE_NAME) {
    const Constructor = makeGenericClientConstructor(echoMethods(service), service)
    this.client = new Constructor(`127.0.0.1:${port}`, credentials.createInsecure(), {
      'grpc.use_local_subchannel_pool': 1,
      'grpc.max_receive_message_length': MAX_MESSAGE_BYTES,
      'grpc.max_send_message_length': MAX_MESSAGE_BYTES,
      ...options,
    })
    this.#generated = this.client as unknown as Generated
  }

  close(): void {
    this.client.close()
  }

  unary(req: EchoRequest, o: CallOpts = {}): Promise<Answer> {
    return this.#unary('Unary', req, o)
  }

  /** Reset: the backend resets the stream (the promise rejects with what grpc-js made of it). */
  reset(req: EchoRequest, o: CallOpts = {}): Promise<Answer> {
    return this.#unary('Reset', req, o)
  }

  /** Hang: never answered; `call.cancel()` it, or let its deadline expire. */
  hang(o: CallOpts = {}): { call: ClientUnaryCall; failed: Promise<ServiceError> } {
    let call: ClientUnaryCall | undefined
    const failed = new Promise<ServiceError>((resolve, reject) => {
      call = this.#start('Hang', {}, o, (e) =>
        e === null ? reject(new Error('Hang answered')) : resolve(e),
      )
    })
    return { call: call as ClientUnaryCall, failed }
  }

  serverStream(req: EchoRequest, o: CallOpts = {}): Promise<Replies> {
    const call = this.#generated.ServerStream(req, metadataOf(o), callOptions(o))
    return collect(call as ClientReadableStream<EchoReply>, call as StatusEvents)
  }

  clientStream(reqs: readonly EchoRequest[], o: CallOpts = {}): Promise<Answer> {
    return withMetadata((done) => {
      const call = this.#generated.ClientStream(metadataOf(o), callOptions(o), done)
      const stream = call as ClientWritableStream<EchoRequest>
      for (const r of reqs) stream.write(r)
      stream.end()
      return stream
    })
  }

  bidi(reqs: readonly EchoRequest[], o: CallOpts = {}): Promise<Replies> {
    const call = this.#generated.Bidi(metadataOf(o), callOptions(o))
    const stream = call as ClientDuplexStream<EchoRequest, EchoReply>
    const replies = collect(stream, stream)
    for (const r of reqs) stream.write(r)
    stream.end()
    return replies
  }

  #unary(name: 'Unary' | 'Reset', req: EchoRequest, o: CallOpts): Promise<Answer> {
    return withMetadata((done) => this.#start(name, req, o, done))
  }

  #start(
    name: 'Unary' | 'Reset' | 'Hang',
    req: EchoRequest,
    o: CallOpts,
    done: Done,
  ): ClientUnaryCall {
    return this.#generated[name](req, metadataOf(o), callOptions(o), done) as ClientUnaryCall
  }
}

type Done = (e: ServiceError | null, r?: EchoReply) => void
type StatusEvents = { on(e: 'status', f: (s: { metadata: Metadata }) => void): unknown }
type MetadataEvents = StatusEvents & { on(e: 'metadata', f: (m: Metadata) => void): unknown }

/** Runs a call whose one reply comes to `done`; resolves once its status (trailers) came too. */
function withMetadata(start: (done: Done) => MetadataEvents): Promise<Answer> {
  return new Promise((resolve, reject) => {
    let headers = new Metadata()
    let reply: EchoReply | undefined
    let failure: ServiceError | null = null
    const call = start((e, r) => {
      failure = e
      reply = r
    })
    call.on('metadata', (m) => (headers = m))
    call.on('status', (s) => {
      // The callback runs before the status event, so both are known here.
      if (failure !== null || reply === undefined) reject(failure ?? new Error('no reply'))
      else resolve({ reply, headers, trailers: s.metadata })
    })
  })
}

/** Every reply of a stream, then its trailers (after its end); rejects with the call's error. */
function collect(stream: NodeJS.ReadableStream, call: StatusEvents): Promise<Replies> {
  const replies: EchoReply[] = []
  stream.on('data', (r: EchoReply) => replies.push(r))
  const ended = new Promise<void>((resolve, reject) => {
    stream.on('end', resolve)
    stream.on('error', reject)
  })
  const trailers = new Promise<Metadata>((resolve) => call.on('status', (s) => resolve(s.metadata)))
  return Promise.all([ended, trailers]).then(([, t]) => ({ replies, trailers: t }))
}

function metadataOf(o: CallOpts): Metadata {
  const m = new Metadata()
  for (const [k, v] of Object.entries(o.metadata ?? {})) m.set(k, v)
  return m
}

function callOptions(o: CallOpts): CallOptions {
  return o.deadlineMs === undefined ? {} : { deadline: Date.now() + o.deadlineMs }
}

/** The value of metadata key `k` (first), if any, as a string. */
export function metaValue(m: Metadata, k: string): string | undefined {
  const v = m.get(k)[0]
  return v === undefined ? undefined : v.toString()
}
