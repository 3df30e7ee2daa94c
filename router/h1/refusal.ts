import { CodedError } from '../../lib/errors.js'
import { encodeErrHeader } from '../core/headers.js'

/** The codes of the requests the HTTP/1.1 server answers itself (docs/errors.md lists them). */
export type RefusalCode =
  | 'ERR_MALFORMED_REQUEST'
  | 'ERR_URL_USERINFO'
  | 'ERR_HEAD_TOO_LARGE'
  | 'ERR_RECEIVE_TIMEOUT'
  | 'ERR_TUNNEL_REFUSED'
  | 'ERR_EXPECTATION_FAILED'
  | 'ERR_TRANSFER_CODING'
  | 'ERR_HTTP_VERSION'

const STATUS: Record<RefusalCode, string> = {
  ERR_MALFORMED_REQUEST: '400 Bad Request',
  ERR_URL_USERINFO: '400 Bad Request',
  ERR_HEAD_TOO_LARGE: '431 Request Header Fields Too Large',
  ERR_RECEIVE_TIMEOUT: '408 Request Timeout',
  ERR_TUNNEL_REFUSED: '405 Method Not Allowed',
  ERR_EXPECTATION_FAILED: '417 Expectation Failed',
  ERR_TRANSFER_CODING: '501 Not Implemented',
  ERR_HTTP_VERSION: '505 HTTP Version Not Supported',
}

/**
 * A request the HTTP/1.1 server refuses before (or instead of) routing it: a malformed or
 * unsupported message, or one that took too long to arrive. It is answered by the server alone,
 * with `connection: close`, and the connection ends after that answer.
 */
export class RequestRefusal extends CodedError {
  constructor(
    readonly code: RefusalCode,
    message: string,
  ) {
    // Printable ASCII only: it goes in a header and a latin1 body as is.
    super(message.replace(/[^\x20-\x7e]/g, '?'))
  }

  /** The status line's status and reason, e.g. `400 Bad Request`. */
  get status(): string {
    return STATUS[this.code]
  }

  /** The status as a number, e.g. 400. */
  get statusCode(): number {
    return Number(this.status.slice(0, 3))
  }

  /** The body: the message, as router errors have it (`l5d-err` carries it too). */
  get body(): string {
    return `${this.message}\n`
  }

  /** The header fields, flat (`connection: close` is the response's own). */
  fields(): string[] {
    const length = String(Buffer.byteLength(this.body, 'latin1'))
    const err = encodeErrHeader(this.message)
    return ['content-type', 'text/plain', 'l5d-err', err, 'content-length', length]
  }

  /** The whole answer as latin1 text, for a connection with no response object to use. */
  response(): string {
    const f = this.fields()
    let head = `HTTP/1.1 ${this.status}\r\nconnection: close\r\n`
    for (let i = 0; i < f.length; i += 2) head += `${f[i] as string}: ${f[i + 1] as string}\r\n`
    return `${head}\r\n${this.body}`
  }
}

/** The refusal for a message Node's parser rejected (its `HPE_…` code and reason). */
export function parseRefusal(err: Error): RequestRefusal {
  const { code, reason } = err as { code?: string; reason?: string }
  const why = reason ?? err.message
  if (code === 'HPE_HEADER_OVERFLOW')
    return new RequestRefusal('ERR_HEAD_TOO_LARGE', `request head too large: ${why}`)
  // Node's parser stops at an HTTP/2 connection preface ("PRI * HTTP/2.0"): say so plainly.
  if (code === 'HPE_PAUSED_H2_UPGRADE')
    return new RequestRefusal(
      'ERR_MALFORMED_REQUEST',
      'HTTP/2 on an HTTP/1.1 port: this router speaks protocol http (HTTP/1.1) here',
    )
  if (code === 'HPE_INVALID_VERSION')
    return new RequestRefusal('ERR_HTTP_VERSION', `HTTP version not supported: ${why}`)
  return new RequestRefusal('ERR_MALFORMED_REQUEST', `malformed request (${code ?? '?'}): ${why}`)
}
