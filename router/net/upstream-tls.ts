/**
 * TLS to an endpoint (a client's `tls:` settings, router/config/client.ts `tlsFor`), its files
 * read into one secure context (upstream-tls-files.ts); each endpoint's pool keeps the last TLS
 * session the endpoint gave, and offers it on its next connection (session resumption: no full
 * handshake for a new connection to a known endpoint) while the files are unchanged.
 */
import { isIP } from 'node:net'
import {
  checkServerIdentity,
  connect,
  type PeerCertificate,
  type SecureContext,
  type TLSSocket,
} from 'node:tls'
import type { ClientTlsConfig } from '../../lib/tls/client-config.js'
import { isTlsAlert, TlsHandshakeError } from '../core/tls-failure.js'
import { UpstreamError, type UpstreamRequest } from '../core/handler.js'

/** What a connection that closed knew of itself, for `TlsDialer.failure`. */
export interface ClosedConnection {
  /** TCP was up (the handshake had started). */
  readonly tcpUp: boolean
  /** The handshake was done. */
  readonly connected: boolean
  readonly error: Error | undefined
  /** The failed exchange was the connection's first. */
  readonly firstExchange: boolean
  /** Some byte of a response was read. */
  readonly heard: boolean
  readonly request: UpstreamRequest
}

/**
 * How soon after its handshake an endpoint that closes without a word is taken to have refused
 * our certificate (it checks it after the handshake, as Node's TLS servers do under TLS 1.3).
 */
const REFUSAL_WINDOW_MS = 1000

/** The settings of a client's TLS, the files read (upstream-tls-files.ts). */
export interface UpstreamTls {
  readonly settings: ClientTlsConfig
  /** The context in force; it changes when the files do, and each new connection takes it. */
  readonly context: SecureContext
}

/** One endpoint's TLS connections: the secure context, and the session to resume. */
export class TlsDialer {
  private session: Buffer | undefined
  /** The context `session` was made with: once files change, a session is not resumed. */
  private sessionContext: SecureContext | undefined
  /** When the last handshake was done (performance.now()). */
  private securedAt = -Infinity

  constructor(
    private readonly tls: UpstreamTls,
    private readonly host: string,
    private readonly port: number,
    /** The protocols offered by ALPN (HTTP/2 sessions offer `h2`); absent: no ALPN. */
    private readonly alpn?: readonly string[],
  ) {}

  /** The name the endpoint's certificate must carry (undefined: no check). */
  get expectedName(): string | undefined {
    const s = this.tls.settings
    return s.disableValidation ? undefined : s.commonName
  }

  /** Opens a TLS connection (the handshake starts once TCP connects). */
  connect(): TLSSocket {
    const { settings, context } = this.tls
    const name = settings.commonName
    // A session of older files would carry the old client certificate and skip the new CAs.
    const session = this.sessionContext === context ? this.session : undefined
    const socket = connect({
      host: this.host,
      port: this.port,
      secureContext: context,
      // SNI carries host names only (RFC 6066); an IP literal is checked but not sent.
      ...(name !== undefined && isIP(name) === 0 ? { servername: name } : {}),
      rejectUnauthorized: !settings.disableValidation,
      checkServerIdentity: (host: string, cert: PeerCertificate) => this.checkName(host, cert),
      ...(session === undefined ? {} : { session }),
      ...(this.alpn === undefined ? {} : { ALPNProtocols: [...this.alpn] }),
    })
    socket.setNoDelay(true)
    socket.on('session', (s: Buffer) => {
      this.session = s
      this.sessionContext = context
    })
    socket.once('secureConnect', () => (this.securedAt = performance.now()))
    return socket
  }

  /**
   * The handshake error of a connection that closed, if its handshake failed: TCP was up but
   * the handshake never finished; or the endpoint sent an alert before any response (a TLS 1.3
   * server checks the client's certificate after the client has finished); or, our certificate
   * presented, the endpoint closed a new connection at once without a word. Then the session is
   * not offered again.
   */
  failure(c: ClosedConnection): TlsHandshakeError | undefined {
    const code = (c.error as { code?: unknown } | undefined)?.code
    const failed =
      (c.tcpUp && !c.connected && !(c.error instanceof UpstreamError)) ||
      (!c.heard && typeof code === 'string' && isTlsAlert(code))
    const refused = !failed && this.refusedSilently(c)
    if (!failed && !refused) return undefined
    this.session = undefined
    // A body streamed out meanwhile cannot be sent again; one held whole can. A silent close
    // may also be an endpoint that failed the request: it is not sent again.
    const body = c.request.body
    const whole = body === null || Buffer.isBuffer(body)
    return new TlsHandshakeError({
      cause: c.error,
      endpoint: `${this.host}:${this.port}`,
      expected: this.expectedName,
      unsent: !refused && (!c.connected || whole),
      ...(refused ? { code: 'CLOSED_AFTER_HANDSHAKE' } : {}),
    })
  }

  private refusedSilently(c: ClosedConnection): boolean {
    const soon = performance.now() - this.securedAt < REFUSAL_WINDOW_MS
    const quiet = c.error === undefined || (c.error as { code?: unknown }).code === 'ECONNRESET'
    return (
      this.tls.settings.clientAuth !== undefined &&
      c.connected &&
      c.firstExchange &&
      !c.heard &&
      soon &&
      quiet
    )
  }

  private checkName(host: string, cert: PeerCertificate): Error | undefined {
    const s = this.tls.settings
    if (s.disableValidation) return undefined
    return checkServerIdentity(s.commonName ?? host, cert)
  }
}
