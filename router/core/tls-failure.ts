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

/**
 * A failed handshake with `endpoint` (`host:port`), expecting the name `expected`. `unsent`
 * is false only when a streamed request body was being sent meanwhile (it cannot be resent).
 */
export class TlsHandshakeError extends UpstreamError {
  readonly reason: TlsFailureReason

  constructor(
    cause: Error | undefined,
    endpoint: string,
    expected: string | undefined,
    unsent = true,
  ) {
    const code = (cause as { code?: unknown } | undefined)?.code
    const detail = typeof code === 'string' ? code : (cause?.message ?? 'closed')
    const reason = tlsFailureReason(typeof code === 'string' ? code : '')
    const name = expected === undefined ? '' : `, expected name ${JSON.stringify(expected)}`
    super(
      'TLS_HANDSHAKE',
      `TLS handshake with ${endpoint} failed: ${WORDS[reason]} (${detail}${name})`,
      { cause, unsent },
    )
    this.reason = reason
  }
}
