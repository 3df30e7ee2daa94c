/**
 * What the HTTP/2 server answers itself, never routing the stream: the 403 of a session refused
 * by `tls.clientNames` (router/net/client-names.ts decides, once per session; the session
 * stays open), 431 for a header list over `maxHeaderListBytes`, 408 for a request that stalled
 * (server-sessions.ts). Each with `l5d-err` and the message as a text body.
 */
import type { ServerHttp2Stream } from 'node:http2'
import { notAllowedAnswer } from '../net/client-names.js'
import { encodeErrHeader } from '../core/headers.js'
import { h2Fields } from './fields.js'

/** Answers `stream` with the 403 of `message` (tls.clientNames). */
export function refuseNotAllowed(stream: ServerHttp2Stream, message: string): void {
  const { status, fields, body } = notAllowedAnswer(message)
  answer(stream, status, fields, body)
}

/** Answers `stream` with `status` and `message` (text, and in `l5d-err`). */
export function refuseStream(stream: ServerHttp2Stream, status: number, message: string): void {
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
