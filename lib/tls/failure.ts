/**
 * Why a TLS handshake failed, in a few fixed reasons and in plain words: the one map from
 * OpenSSL's and Node's error codes to reasons, shared by the router's clients (counted as
 * `tls/handshake_failures/<reason>`) and namerd's clients (namerctl, the router's interpreter).
 */

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
  untrusted: 'the certificate is not trusted (not signed by a trusted CA)',
  wrong_name: 'the certificate does not match the expected name',
  client_cert_refused: 'the endpoint required a client certificate, or refused ours',
  other: 'the handshake failed',
}

/** The reason a handshake error code stands for. */
export function tlsFailureReason(code: string): TlsFailureReason {
  return REASONS[code] ?? 'other'
}

/** A reason in plain words (`the certificate has expired (or is not yet valid)`). */
export function tlsFailureWords(reason: TlsFailureReason): string {
  return WORDS[reason]
}

/** OpenSSL's codes for an alert from the endpoint (it refused the handshake). */
const ALERT = /^ERR_SSL_\w*_ALERT_/

/** Whether `code` is a TLS alert from the endpoint (it refused the handshake). */
export function isTlsAlert(code: string): boolean {
  return ALERT.test(code)
}

/** Whether `code` is certainly a TLS failure (not a plain network one such as a reset). */
export function isTlsCode(code: string): boolean {
  return (REASONS[code] !== undefined && code !== 'ECONNRESET') || /^ERR_(SSL|TLS)_/.test(code)
}
