/**
 * What bounds a client's HTTP/2 sessions to one endpoint (router/h2/sessions.ts): its HTTP/2
 * settings, TLS, and the transport's timeouts and queue, with their defaults (docs/limits.md).
 */
import type { ClientTlsConfig } from '../../lib/tls/client-config.js'
import type { H2Settings } from './settings.js'

/** A client's HTTP/2 upstream settings; absent keys take `H2_CLIENT_DEFAULTS`. */
export interface H2ClientOptions {
  /** The SETTINGS this side sends (window, frame and header sizes); push is always off. */
  readonly h2?: H2Settings
  /** TLS to the endpoint (a client's `tls`, `commonName` filled in), h2 by ALPN; absent: h2c. */
  readonly tls?: ClientTlsConfig
  /** Longest from the end of the request to the response head (the client's key). */
  readonly responseTimeoutMs?: number
  /** Longest a session may take to connect, TLS handshake included. */
  readonly connectTimeoutMs?: number
  /** A session with no stream for this long is closed (0: closed when its last stream ends). */
  readonly idleTimeMs?: number
  /** Most requests waiting for a stream when the endpoint's stream limit is reached. */
  readonly maxWaiters?: number
  /** A session with no stream for this long is sent a PING (0: never). */
  readonly keepAliveMs?: number
  /** Longest a PING may go unanswered before the session is taken for dead. */
  readonly pingTimeoutMs?: number
}

/**
 * The defaults: the h1 pools' response, connect and idle bounds and line length; a PING after
 * 10 s of idleness, answered within 5 s (gRPC's keepalive timeout is 20 s; a router has a
 * balancer to fail over to, so it gives up sooner).
 */
export const H2_CLIENT_DEFAULTS = {
  responseTimeoutMs: 60_000,
  connectTimeoutMs: 10_000,
  idleTimeMs: 60_000,
  maxWaiters: 1024,
  keepAliveMs: 10_000,
  pingTimeoutMs: 5_000,
} as const

/** Streams a session opens before the endpoint's SETTINGS say its limit (RFC 9113 6.5.2's floor). */
export const ASSUMED_MAX_STREAMS = 100
