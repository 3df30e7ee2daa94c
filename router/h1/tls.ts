/**
 * TLS to an endpoint (a client's `tls:` settings, router/config/client.ts `tlsFor`): the files
 * are read once per set of settings into one secure context; each endpoint's pool keeps the
 * last TLS session the endpoint gave, and offers it on its next connection (session
 * resumption: no full handshake for a new connection to a known endpoint).
 */
import { readFileSync } from 'node:fs'
import { isIP } from 'node:net'
import {
  checkServerIdentity,
  connect,
  createSecureContext,
  type PeerCertificate,
  type SecureContext,
  type TLSSocket,
} from 'node:tls'
import type { ClientTlsConfig } from '../../lib/tls/client-config.js'
import { ConfigError } from '../../lib/config/section.js'

/** The settings of a client's TLS, the files read. */
export interface UpstreamTls {
  readonly settings: ClientTlsConfig
  readonly context: SecureContext
}

/**
 * Reads the files `settings` names; a missing or bad file is a ConfigError naming it (`at`:
 * the config's location).
 */
export function upstreamTls(settings: ClientTlsConfig, at = 'client.tls'): UpstreamTls {
  const read = (path: string, key: string): string => readPem(path, `${at}.${key}`)
  const ca = settings.trustCerts.map((p) => read(p, 'trustCerts'))
  const auth = settings.clientAuth
  const chain =
    auth === undefined
      ? undefined
      : [auth.certPath, auth.intermediateCertsPath].flatMap((p) =>
          p === undefined ? [] : [read(p, 'clientAuth')],
        )
  const protocols = settings.protocols ?? []
  try {
    const context = createSecureContext({
      ...(ca.length > 0 ? { ca } : {}),
      ...(chain === undefined ? {} : { cert: chain.join('\n') }),
      ...(auth === undefined ? {} : { key: read(auth.keyPath, 'clientAuth.keyPath') }),
      ...(protocols.length === 0
        ? {}
        : { minVersion: protocols[0], maxVersion: protocols[protocols.length - 1] }),
    })
    return { settings, context }
  } catch (e) {
    // The key's content is never shown: only its path and the library's reason.
    throw new ConfigError(at, `unusable certificate or key: ${(e as Error).message}`)
  }
}

function readPem(path: string, at: string): string {
  try {
    return readFileSync(path, 'utf8')
  } catch (e) {
    const code = (e as { code?: string }).code ?? 'unreadable'
    throw new ConfigError(at, `cannot read ${path} (${code})`)
  }
}

/** One endpoint's TLS connections: the secure context, and the session to resume. */
export class TlsDialer {
  private session: Buffer | undefined

  constructor(
    private readonly tls: UpstreamTls,
    private readonly host: string,
    private readonly port: number,
  ) {}

  /** `host:port`, for messages. */
  get endpoint(): string {
    return `${this.host}:${this.port}`
  }

  /** The name the endpoint's certificate must carry (undefined: no check). */
  get expectedName(): string | undefined {
    const s = this.tls.settings
    return s.disableValidation ? undefined : s.commonName
  }

  /** Opens a TLS connection (the handshake starts once TCP connects). */
  connect(): TLSSocket {
    const { settings, context } = this.tls
    const name = settings.commonName
    const socket = connect({
      host: this.host,
      port: this.port,
      secureContext: context,
      // SNI carries host names only (RFC 6066); an IP literal is checked but not sent.
      ...(name !== undefined && isIP(name) === 0 ? { servername: name } : {}),
      rejectUnauthorized: !settings.disableValidation,
      checkServerIdentity: (host: string, cert: PeerCertificate) => this.checkName(host, cert),
      ...(this.session === undefined ? {} : { session: this.session }),
    })
    socket.setNoDelay(true)
    socket.on('session', (s: Buffer) => (this.session = s))
    return socket
  }

  /** A failed handshake: the session is not offered again. */
  failed(): void {
    this.session = undefined
  }

  private checkName(host: string, cert: PeerCertificate): Error | undefined {
    const s = this.tls.settings
    if (s.disableValidation) return undefined
    return checkServerIdentity(s.commonName ?? host, cert)
  }
}
