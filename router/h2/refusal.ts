/**
 * What the HTTP/2 server answers itself, never routing the stream: the 403 of a session refused
 * by `tls.clientNames` (router/net/client-names.ts decides, once per session; the session
 * stays open), 431 for a header list over `maxHeaderListBytes`, 408 for a request that stalled
 * (server-sessions.ts). Each with `l5d-err` and the message as a text body; a gRPC request
 * (its `content-type` given) gets a trailers-only gRPC answer instead, as the answer step gives
 * (docs/errors.md "gRPC requests"), since gRPC clients read no HTTP status but 200.
 */
import type { ServerHttp2Stream } from 'node:http2'
import { GRPC, grpcStatusOf } from '../errors.js'
import { grpcAnswerFields, isGrpcType } from '../core/grpc.js'
import { notAllowedAnswer } from '../net/client-names.js'
import { encodeErrHeader } from '../core/headers.js'
import { h2Fields } from './fields.js'

/**
 * The gRPC status of each refusal: a policy refusal is PERMISSION_DENIED as the answer step
 * says it, a stalled request DEADLINE_EXCEEDED (a time bound ran out), a header list too large
 * RESOURCE_EXHAUSTED (a resource of the server's, not a fault of the call's arguments).
 */
const GRPC_OF_STATUS: Readonly<Record<number, number>> = {
  403: grpcStatusOf('ERR_PEER_NOT_ALLOWED'),
  408: GRPC.DEADLINE_EXCEEDED,
  431: GRPC.RESOURCE_EXHAUSTED,
}

/** Answers `stream` with the 403 of `message` (tls.clientNames). */
export function refuseNotAllowed(
  stream: ServerHttp2Stream,
  message: string,
  contentType: string | undefined,
): void {
  if (isGrpcType(contentType)) return refuseGrpc(stream, 403, message)
  const { status, fields, body } = notAllowedAnswer(message)
  answer(stream, status, fields, body)
}

/**
 * Answers `stream` with `status` and `message` (text, and in `l5d-err`); a gRPC request, by its
 * `contentType`, with its gRPC status.
 */
export function refuseStream(
  stream: ServerHttp2Stream,
  status: number,
  message: string,
  contentType: string | undefined,
): void {
  if (isGrpcType(contentType)) return refuseGrpc(stream, status, message)
  const body = Buffer.from(message)
  const fields = [
    'content-type',
    'text/plain; charset=utf-8',
    'content-length',
    String(body.length),
    'l5d-err',
    encodeErrHeader(message),
  ]
  answer(stream, status, fields, body)
}

/** A trailers-only gRPC answer: HTTP 200 and the gRPC status in ONE HEADERS frame. */
function refuseGrpc(stream: ServerHttp2Stream, status: number, message: string): void {
  const fields = grpcAnswerFields(GRPC_OF_STATUS[status] ?? GRPC.UNAVAILABLE, message)
  if (stream.destroyed || stream.closed) return
  try {
    stream.respond(h2Fields(fields, { ':status': 200 }), { endStream: true })
  } catch {
    stream.destroy()
  }
}

function answer(
  stream: ServerHttp2Stream,
  status: number,
  fields: readonly string[],
  body: Buffer,
) {
  if (stream.destroyed || stream.closed) return
  try {
    stream.respond(h2Fields(fields, { ':status': status }))
    stream.end(body)
  } catch {
    stream.destroy()
  }
}

/**
 * The size of a header list as SETTINGS_MAX_HEADER_LIST_SIZE counts it (RFC 9113 6.5.2: each
 * field's name and value, plus 32), from Node's raw list.
 */
export function headerListBytes(raw: readonly string[]): number {
  let n = 0
  for (let i = 0; i < raw.length; i += 2) {
    n += (raw[i] as string).length + (raw[i + 1] as string).length + 32
  }
  return n
}

/** The message of a 431 (`ERR_HEAD_TOO_LARGE`). */
export function tooLargeMessage(bytes: number, limit: number): string {
  return `request header list of ${bytes} bytes is over ${limit} (maxHeaderListBytes)`
}
