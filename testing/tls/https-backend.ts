/**
 * A real HTTPS endpoint for client TLS tests (node:https with a certificate from pki.ts): it
 * answers every request with 200 and `hello <client certificate's CN or "anonymous">`, and
 * records, per TLS connection, whether its session was resumed.
 */
import { readFileSync } from 'node:fs'
import { createServer } from 'node:https'
import type { TLSSocket } from 'node:tls'
import type { Issued } from './pki.js'

export interface HttpsBackend {
  readonly port: number
  /** For each TLS connection accepted, in order: was it a resumed session? */
  readonly resumed: boolean[]
  close(): Promise<void>
}

export interface HttpsBackendOptions {
  /** Requires a client certificate signed by this CA (PEM file path). */
  readonly clientCa?: string
}

/** Starts an HTTPS server on 127.0.0.1 (a free port) with `identity`'s certificate. */
export async function httpsBackend(
  identity: Issued,
  o: HttpsBackendOptions = {},
): Promise<HttpsBackend> {
  const server = createServer(
    {
      cert: readFileSync(identity.cert),
      key: readFileSync(identity.key),
      ...(o.clientCa === undefined
        ? {}
        : { ca: readFileSync(o.clientCa), requestCert: true, rejectUnauthorized: true }),
    },
    (req, res) => {
      const peer = (req.socket as TLSSocket).getPeerCertificate()
      res.end(`hello ${peer.subject?.CN ?? 'anonymous'}`)
    },
  )
  const resumed: boolean[] = []
  server.on('secureConnection', (s: TLSSocket) => resumed.push(s.isSessionReused()))
  server.on('tlsClientError', () => undefined)
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  return {
    port: (server.address() as { port: number }).port,
    resumed,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections()
        server.close(() => r())
      }),
  }
}
