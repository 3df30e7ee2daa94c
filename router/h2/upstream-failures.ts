/**
 * Why an HTTP/2 exchange failed, as the core's UpstreamErrors: whether anything of the request
 * reached the endpoint (`unsent`: the balance step requeues it) and a stable code.
 */
import { constants } from 'node:http2'
import { StreamResetError, UpstreamError, type UpstreamRequest } from '../core/handler.js'
import type { TlsDialer } from '../net/upstream-tls.js'

const { NGHTTP2_REFUSED_STREAM } = constants

/** RFC 9113 section 7's names, by code. */
const RST_NAMES = [
  'NO_ERROR',
  'PROTOCOL_ERROR',
  'INTERNAL_ERROR',
  'FLOW_CONTROL_ERROR',
  'SETTINGS_TIMEOUT',
  'STREAM_CLOSED',
  'FRAME_SIZE_ERROR',
  'REFUSED_STREAM',
  'CANCEL',
  'COMPRESSION_ERROR',
  'CONNECT_ERROR',
  'ENHANCE_YOUR_CALM',
  'INADEQUATE_SECURITY',
  'HTTP_1_1_REQUIRED',
]

/** `code` as RFC 9113 names it (`CANCEL`), or its number. */
export function rstName(code: number): string {
  return RST_NAMES[code] ?? `0x${code.toString(16)}`
}

/** The endpoint reset the stream; REFUSED_STREAM says it did no work on it (unsent). */
export function resetByEndpoint(code: number): StreamResetError {
  return new StreamResetError(code, `the endpoint reset the stream (${rstName(code)})`, {
    unsent: code === NGHTTP2_REFUSED_STREAM,
  })
}

/** A GOAWAY whose last stream id is below this stream's: the endpoint never processed it. */
export function refusedByGoaway(endpoint: string): StreamResetError {
  return new StreamResetError(
    NGHTTP2_REFUSED_STREAM,
    `${endpoint} went away (GOAWAY) before processing the stream`,
    { unsent: true },
  )
}

/** The endpoint's SETTINGS allow no stream at all: the request goes elsewhere (unsent). */
export function noStreamsAllowed(endpoint: string): UpstreamError {
  return new UpstreamError(
    'NO_STREAMS_ALLOWED',
    `${endpoint} allows no stream (SETTINGS_MAX_CONCURRENT_STREAMS 0)`,
    { unsent: true },
  )
}

/**
 * A request waited `ms` in line for a stream (the endpoint's stream limit reached) and was never
 * sent: counted as a response timeout, since the wait is part of the wait for a response.
 */
export function lineTimeout(ms: number): UpstreamError {
  return new UpstreamError(
    'RESPONSE_TIMEOUT',
    `no stream of the endpoint became free within ${ms} ms (client responseTimeoutMs)`,
    { unsent: true },
  )
}

/** The session died with the stream open; `notStarted`: the stream had no id yet (unsent). */
export function diedMidStream(cause: Error | undefined, notStarted: boolean): UpstreamError {
  const why = cause === undefined ? '' : `: ${cause.message}`
  return new UpstreamError('ECONNRESET', `the session to the endpoint closed${why}`, {
    cause,
    unsent: notStarted,
  })
}

/** What is known of a session that never connected. */
export interface ConnectState {
  /** TCP was up (with TLS: the handshake had started). */
  readonly tcpUp: boolean
  readonly error: Error | undefined
  readonly dialer: TlsDialer | undefined
  readonly request: UpstreamRequest
}

/**
 * The failure of a session that never connected (nothing of its requests was sent): a timeout
 * or ALPN refusal as decided, a failed TLS handshake (TlsHandshakeError), else the errno code
 * (ECONNREFUSED, EHOSTUNREACH, …).
 */
export function connectFailure(c: ConnectState): UpstreamError {
  if (c.error instanceof UpstreamError) return c.error
  const tls = c.dialer?.failure({
    tcpUp: c.tcpUp,
    connected: false,
    error: noH2(c.error),
    firstExchange: true,
    heard: false,
    request: c.request,
  })
  if (tls !== undefined) return tls
  const code = (c.error as { code?: unknown } | undefined)?.code
  return new UpstreamError(
    typeof code === 'string' ? code : 'ECONNREFUSED',
    c.error?.message ?? 'the connection closed before it was established',
    { cause: c.error, unsent: true },
  )
}

/** OpenSSL's alert code when the endpoint supports none of the protocols offered by ALPN. */
const NO_PROTOCOL = /_ALERT_NO_APPLICATION_PROTOCOL$/

/** The endpoint's ALPN refusal in words (h2 is the one protocol offered). */
function noH2(err: Error | undefined): Error | undefined {
  const code = (err as { code?: unknown } | undefined)?.code
  if (typeof code !== 'string' || !NO_PROTOCOL.test(code)) return err
  return new Error(`the endpoint does not speak h2 (it refused ALPN h2: ${code})`, { cause: err })
}
