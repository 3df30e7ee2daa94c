/**
 * A TLS handshake with an endpoint that failed: why, in a few fixed reasons (counted as the
 * client's `tls/handshake_failures/<reason>`) and in plain words for `l5d-err`. Nothing of the
 * request reached the endpoint, so it is `unsent` (requeued to another endpoint like a refused
 * connection).
 */
import { tlsFailureReason, tlsFailureWords, type TlsFailureReason } from '../../lib/tls/failure.js'
import { UpstreamError } from './handler.js'

export { isTlsAlert } from '../../lib/tls/failure.js'

/** What is known of a failed handshake. */
export interface TlsFailure {
  readonly cause: Error | undefined
  /** `host:port`. */
  readonly endpoint: string
  /** The name the certificate had to carry (none with `disableValidation`). */
  readonly expected: string | undefined
  /** False only when a streamed request body was sent meanwhile (it cannot be resent). */
  readonly unsent: boolean
  /** Overrides the cause's code (e.g. `CLOSED_AFTER_HANDSHAKE`). */
  readonly code?: string
}

/** A failed handshake, in words: why, with OpenSSL's code, the endpoint and expected name. */
export class TlsHandshakeError extends UpstreamError {
  readonly reason: TlsFailureReason

  constructor(f: TlsFailure) {
    const causeCode = (f.cause as { code?: unknown } | undefined)?.code
    const code = f.code ?? (typeof causeCode === 'string' ? causeCode : undefined)
    const reason = tlsFailureReason(code ?? '')
    const detail = code ?? f.cause?.message ?? 'closed'
    const name = f.expected === undefined ? '' : `, expected name ${JSON.stringify(f.expected)}`
    super(
      'TLS_HANDSHAKE',
      `TLS handshake with ${f.endpoint} failed: ${tlsFailureWords(reason)} (${detail}${name})`,
      { cause: f.cause, unsent: f.unsent },
    )
    this.reason = reason
  }
}
