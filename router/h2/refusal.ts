/**
 * `tls.clientNames` on the HTTP/2 server (router/core/client-names.ts decides, once per
 * session): every stream of a refused session is answered 403 `ERR_PEER_NOT_ALLOWED`, never
 * routed; the session stays open.
 */
import type { ServerHttp2Stream } from 'node:http2'
import { notAllowedAnswer } from '../core/client-names.js'
import { h2Fields } from './fields.js'

/** Answers `stream` with the 403 of `message`. */
export function refuseStream(stream: ServerHttp2Stream, message: string): void {
  const { status, fields, body } = notAllowedAnswer(message)
  try {
    stream.respond(h2Fields(fields, { ':status': status }))
    stream.end(body)
  } catch {
    stream.destroy()
  }
}
