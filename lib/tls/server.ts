/**
 * A TLS server's options from its config, kept current: the router's servers and the admin
 * servers (node:tls and node:https servers alike) present the files of `ServerTlsConfig`, verify
 * client certificates when asked, and take rotated files for their new connections.
 */
import type { Server as HttpsServer } from 'node:https'
import type { Server as TlsServer, TLSSocket, TlsOptions } from 'node:tls'
import type { Log } from '../log.js'
import { capHandshakes, MAX_CONCURRENT_HANDSHAKES, type HandshakeCap } from './handshake-cap.js'
import { ReloadingTls, type ReloadOptions } from './reloading.js'
import type { ServerTlsConfig } from './server-config.js'

/** A client must finish its TLS handshake within this long (Node's own default is 120 s). */
export const TLS_HANDSHAKE_TIMEOUT_MS = 10_000

/** What a server reports of its TLS connections (each optional). */
export interface TlsServerHooks {
  /** A connection closed over `maxConcurrentHandshakes`, before any TLS work. */
  readonly refused?: () => void
  /** A handshake that failed (Node's error: a timeout, an alert, a client's garbage). */
  readonly failed?: (err: NodeJS.ErrnoException) => void
}

/** The TLS side of one server: its options, and `attach` to follow rotations. */
export interface ServerTls {
  /** For `tls.createServer` / `https.createServer`. */
  readonly options: TlsOptions
  /**
   * New connections of `server` get the files in force (rotated ones included), and at most
   * `maxConcurrentHandshakes` of them are in their handshake at once: one over is closed at
   * once and reported to `hooks.refused` (handshake-cap.ts). A connection whose handshake
   * fails is closed and reported to `hooks.failed`.
   */
  attach(server: TlsServer | HttpsServer, hooks?: TlsServerHooks): HandshakeCap
  /** Stops watching the files. */
  close(): void
}

/** Reads the files of `config` (TlsFileError if unusable) and watches them. */
export async function openServerTls(
  config: ServerTlsConfig,
  log: Log,
  reload?: ReloadOptions,
): Promise<ServerTls> {
  const files = await ReloadingTls.open(config, log, reload)
  const options: TlsOptions = {
    ...files.options,
    requestCert: config.requireClientAuth,
    rejectUnauthorized: config.requireClientAuth,
    handshakeTimeout: TLS_HANDSHAKE_TIMEOUT_MS,
  }
  return {
    options,
    attach: (server, hooks = {}) => {
      files.onChange((o) => server.setSecureContext(o))
      // Any listener makes Node leave a failed handshake's socket open (a timed-out one
      // included): this one, the only one, closes it.
      server.on('tlsClientError', (err: NodeJS.ErrnoException, socket: TLSSocket) => {
        hooks.failed?.(err)
        socket.destroy()
      })
      const max = config.maxConcurrentHandshakes ?? MAX_CONCURRENT_HANDSHAKES
      return capHandshakes(server, max, () => {
        hooks.refused?.()
        // A client's flood, possibly by the thousand a second: debug only.
        log.debug('TLS connection refused: too many handshakes in progress', { max })
      })
    },
    close: () => files.close(),
  }
}

/**
 * The names of a verified client certificate: its subject CN, then its subjectAltName DNS names
 * and URIs (`spiffe://…`). Undefined without a verified certificate.
 */
export function peerIdentity(socket: TLSSocket): readonly string[] | undefined {
  if (!socket.authorized) return undefined
  const cert = socket.getPeerCertificate()
  if (cert === null || Object.keys(cert).length === 0) return undefined
  const cn = cert.subject?.CN
  const names = typeof cn === 'string' ? [cn] : Array.isArray(cn) ? [...(cn as string[])] : []
  for (const entry of (cert.subjectaltname ?? '').split(', ')) {
    const m = /^(DNS|URI):(.+)$/.exec(entry)
    if (m?.[2] !== undefined) names.push(m[2])
  }
  return names
}
