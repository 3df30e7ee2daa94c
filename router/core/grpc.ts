/**
 * What the routing core knows of gRPC (grpc/doc/PROTOCOL-HTTP2.md): which requests are gRPC
 * calls, their `grpc-timeout`, and the `grpc-message` text of the answers the router gives them
 * itself. gRPC rides on HTTP/2, but nothing here depends on the transport.
 */
import { MAX_TIMER_MS } from '../../lib/config/common.js'
import type { RequestHead } from '../model.js'
import { encodeErrHeader } from './headers.js'

const GRPC_TYPE = 'application/grpc'

/** Each `grpc-timeout` unit in ms: Hours, Minutes, Seconds, milli-, micro-, nanoseconds. */
const UNIT_MS: Readonly<Record<string, number>> = {
  H: 3_600_000,
  M: 60_000,
  S: 1000,
  m: 1,
  u: 1e-3,
  n: 1e-6,
}

/** `TimeoutValue TimeoutUnit`: at most 8 ASCII digits, then one unit letter. */
const TIMEOUT = /^(\d{1,8})([HMSmun])$/

/** The most of a message `grpc-message` carries (characters before encoding). */
export const GRPC_MESSAGE_MAX = 1024

const NAME_LENGTH = 'grpc-timeout'.length

/** The request's `content-type` and `grpc-timeout` (first values), in one pass over its headers. */
function grpcHeaders(req: RequestHead): { type?: string; timeout?: string } {
  const raw = req.rawHeaders
  if (raw === undefined) {
    const { 'content-type': type, 'grpc-timeout': timeout } = req.headers
    return { type, timeout: Array.isArray(timeout) ? timeout[0] : timeout }
  }
  const found: { type?: string; timeout?: string } = {}
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i] as string
    // Both names have 12 characters: the other headers of every request cost one comparison.
    if (name.length !== NAME_LENGTH) continue
    const lower = name.toLowerCase()
    if (lower === 'content-type') found.type ??= raw[i + 1]
    else if (lower === 'grpc-timeout') found.timeout ??= raw[i + 1]
  }
  return found
}

/** True if `type` is a gRPC content type (`application/grpc`, `application/grpc+proto`, …). */
export function isGrpcType(type: string | undefined): boolean {
  return type !== undefined && type.slice(0, GRPC_TYPE.length).toLowerCase() === GRPC_TYPE
}

/** True if the request is a gRPC call: its `content-type` starts with `application/grpc`. */
export function isGrpc(req: RequestHead): boolean {
  return isGrpcType(grpcHeaders(req).type)
}

/**
 * The `grpc-timeout` of a gRPC call in ms (capped at the longest timer), or undefined: not a
 * gRPC call, no header, or a malformed value (ignored: the endpoint, which receives it
 * unchanged, judges it).
 */
export function grpcTimeoutMs(req: RequestHead): number | undefined {
  const { type, timeout } = grpcHeaders(req)
  if (timeout === undefined || !isGrpcType(type)) return undefined
  return readGrpcTimeout(timeout)
}

/** A `grpc-timeout` value (`100m`, `5S`) in ms, or undefined when malformed. */
export function readGrpcTimeout(value: string): number | undefined {
  const m = TIMEOUT.exec(value.trim())
  if (m === null) return undefined
  const ms = Number(m[1]) * (UNIT_MS[m[2] as string] as number)
  return Math.min(ms, MAX_TIMER_MS)
}

/**
 * `message` as `grpc-message` carries it: its first GRPC_MESSAGE_MAX characters, UTF-8, every
 * byte outside printable ASCII, and `%`, percent-encoded.
 */
export function grpcMessage(message: string): string {
  const bytes = Buffer.from(message.slice(0, GRPC_MESSAGE_MAX))
  let out = ''
  for (const b of bytes) {
    out +=
      b >= 0x20 && b <= 0x7e && b !== 0x25
        ? String.fromCharCode(b)
        : '%' + b.toString(16).toUpperCase().padStart(2, '0')
  }
  return out
}

/**
 * The fields of a trailers-only gRPC answer the router gives itself (HTTP 200 goes with them):
 * `content-type`, `grpc-status` and, unless `message` is withheld (`clearContext`),
 * `grpc-message` and `l5d-err` carrying it. The answer step and the HTTP/2 server's own
 * refusals add what else they send.
 */
export function grpcAnswerFields(grpcStatus: number, message: string | undefined): string[] {
  const fields = ['content-type', 'application/grpc', 'grpc-status', String(grpcStatus)]
  if (message !== undefined) {
    fields.push('grpc-message', grpcMessage(message), 'l5d-err', encodeErrHeader(message))
  }
  return fields
}
