/**
 * `test.Echo`: the gRPC service the end-to-end tests route, written by hand (no .proto, no
 * proto-loader). A message is a small JSON head followed by raw bytes, so that a 16 MiB payload
 * costs no base64:
 *
 *   [u32 big-endian: JSON length][JSON head, UTF-8][body bytes, the rest of the message]
 *
 * Methods: Unary (echo; the request may ask for a failure, a delay, a reply of N bytes),
 * ServerStream (N replies), ClientStream (one reply summing the requests), Bidi (one reply per
 * request), Hang (never answers), Reset (resets its HTTP/2 stream with a code).
 */
import { createHash } from 'node:crypto'
import type { MethodDefinition, ServiceDefinition } from '@grpc/grpc-js'

/** What a client asks of the Echo backend; every field optional. */
export interface EchoRequest {
  /** Echoed back (ClientStream: concatenated). */
  readonly text?: string
  /** Unary: fail with this gRPC status code (and `failMessage`) instead of answering. */
  readonly failCode?: number
  readonly failMessage?: string
  /** Unary: answer (or fail) after this many ms. */
  readonly delayMs?: number
  /** Unary: a reply body of this many bytes (`pattern(n)`). */
  readonly replyBytes?: number
  /** ServerStream: how many replies (default 3). */
  readonly count?: number
  /** Reset: the RST_STREAM code (default INTERNAL_ERROR, 2). */
  readonly rstCode?: number
  /** Reset: send the response headers first (default true). */
  readonly afterHead?: boolean
  /** Bytes carried along (a large message). */
  readonly body?: Buffer
}

/** What the Echo backend answers. */
export interface EchoReply {
  /** The name of the backend process that answered. */
  readonly backend: string
  readonly text?: string
  /** ServerStream and Bidi: this reply's index, from 0. */
  readonly seq?: number
  /** Bytes of request body received (ClientStream: over every request). */
  readonly received?: number
  /** sha256 (hex) of the request body received (Unary). */
  readonly receivedSha256?: string
  /** ClientStream: how many requests arrived. */
  readonly messages?: number
  /** Unary: whether the call arrived with a deadline (grpc-timeout). */
  readonly hadDeadline?: boolean
  readonly body?: Buffer
}

type Message = EchoRequest | EchoReply

/** A message as bytes (see the file header). */
export function encode(m: Message): Buffer {
  const { body, ...head } = m
  const json = Buffer.from(JSON.stringify(head))
  const length = Buffer.alloc(4)
  length.writeUInt32BE(json.length)
  return Buffer.concat(body === undefined ? [length, json] : [length, json, body])
}

/** Bytes as a message; throws on a malformed one (grpc-js answers INTERNAL). */
export function decode<T extends Message>(bytes: Buffer): T {
  const length = bytes.readUInt32BE(0)
  const head = JSON.parse(bytes.subarray(4, 4 + length).toString('utf8')) as T
  const body = bytes.subarray(4 + length)
  return body.length === 0 ? head : { ...head, body }
}

/** `n` bytes of a fixed pattern (byte i is i mod 251), for large bodies compared by hash. */
export function pattern(n: number): Buffer {
  const b = Buffer.allocUnsafe(n)
  for (let i = 0; i < Math.min(n, 251); i++) b[i] = i
  // Doubling copies of whole periods keep byte i at i mod 251 (a byte loop is slow at 64 MiB).
  for (let filled = 251; filled < n; filled *= 2) b.copy(b, filled, 0, Math.min(filled, n - filled))
  return b
}

/** sha256 in hex. */
export function sha256(b: Buffer): string {
  return createHash('sha256').update(b).digest('hex')
}

/** The service's full name, as `io.l5d.header.path` with `segments: 1` names it. */
export const SERVICE_NAME = 'test.Echo'

function method(
  service: string,
  name: string,
  requestStream: boolean,
  responseStream: boolean,
): MethodDefinition<EchoRequest, EchoReply> {
  return {
    path: `/${service}/${name}`,
    requestStream,
    responseStream,
    requestSerialize: encode,
    requestDeserialize: decode<EchoRequest>,
    responseSerialize: encode,
    responseDeserialize: decode<EchoReply>,
    originalName: name,
  }
}

/**
 * The methods of the Echo service under the name `service` (a client of another name asks the
 * router for a service no backend has), for `makeGenericClientConstructor` and `Server.addService`.
 */
export function echoMethods(service: string) {
  return {
    Unary: method(service, 'Unary', false, false),
    ServerStream: method(service, 'ServerStream', false, true),
    ClientStream: method(service, 'ClientStream', true, false),
    Bidi: method(service, 'Bidi', true, true),
    Hang: method(service, 'Hang', false, false),
    Reset: method(service, 'Reset', false, false),
  } satisfies ServiceDefinition
}

/** `test.Echo`'s methods. */
export const echoService = echoMethods(SERVICE_NAME)

export type EchoMethods = typeof echoService
