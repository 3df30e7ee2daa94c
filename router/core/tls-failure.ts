/**
 * A TLS handshake with an endpoint that failed: why, in a few fixed reasons (counted as the
 * client's `tls/handshake_failures/<reason>`) and in plain words for `l5d-err`. Nothing of the
 * request reached the endpoint, so it is `unsent` (requeued to another endpoint like a refused
 * connection).
 */
import { UpstreamError } from './handler.js'

export type TlsFailureReason =
  'expired' | 'untrusted' | 'wrong_name' | 'client_cert_refused' | 'other'

/** OpenSSL's and Node's codes → reason; any other code is `other`. */
const REASONS: Readonly<Record<string, TlsFailureReason>> = {
  CERT_HAS_EXPIRED: 'expired',
  CERT_NOT_YET_VALID: 'expired',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'untrusted',
  UNABLE_TO_GET_ISSUER_CERT: 'untrusted',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'untrusted',
  SELF_SIGNED_CERT_IN_CHAIN: 'untrusted',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'untrusted',
  CERT_UNTRUSTED: 'untrusted',
  CERT_SIGNATURE_FAILURE: 'untrusted',
  ERR_TLS_CERT_ALTNAME_INVALID: 'wrong_name',
  ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED: 'client_cert_refused',
  ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE: 'client_cert_refused',
  ERR_SSL_SSLV3_ALERT_CERTIFICATE_UNKNOWN: 'client_cert_refused',
  ERR_SSL_SSLV3_ALERT_CERTIFICATE_EXPIRED: 'client_cert_refused',
  ERR_SSL_TLSV1_ALERT_UNKNOWN_CA: 'client_cert_refused',
  ERR_SSL_TLSV1_ALERT_ACCESS_DENIED: 'client_cert_refused',
  // A reset in the middle of a handshake: most often a server that wanted a certificate.
  ECONNRESET: 'client_cert_refused',
  // Our certificate was presented, the handshake done, and the endpoint closed at once without
  // a word: how a server that verifies client certificates after the handshake refuses one.
  CLOSED_AFTER_HANDSHAKE: 'client_cert_refused',
}

const WORDS: Readonly<Record<TlsFailureReason, string>> = {
  expired: 'the certificate has expired (or is not yet valid)',
  untrusted: 'the certificate is not trusted (not signed by a CA in trustCerts)',
  wrong_name: 'the certificate does not match the expected name',
  client_cert_refused: 'the endpoint required a client certificate, or refused ours',
  other: 'the handshake failed',
}

/** The reasons, for metrics and docs. */
export const TLS_FAILURE_REASONS = Object.keys(WORDS) as TlsFailureReason[]

/** The reason a handshake error code stands for. */
export function tlsFailureReason(code: string): TlsFailureReason {
  return REASONS[code] ?? 'other'
}

/** OpenSSL's codes for an alert from the endpoint (it refused the handshake). */
const ALERT = /^ERR_SSL_\w*_ALERT_/

/** Whether `code` is a TLS alert from the endpoint (it refused the handshake). */
export function isTlsAlert(code: string): boolean {
  return ALERT.test(code)
}

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
      `TLS handshake with ${f.endpoint} failed: ${WORDS[reason]} (${detail}${name})`,
      { cause: f.cause, unsent: f.unsent },
    )
    this.reason = reason
  }
}
