/**
 * A real HTTPS endpoint for client TLS tests (node:https with a certificate from pki.ts): it
 * answers every request with 200 and `hello <client certificate's CN or "anonymous">`, and
 * records, per TLS connection, whether its session was resumed and the client certificate's
 * serial number; its certificate can be replaced (`use`) for the connections that follow.
 */
import { readFileSync } from 'node:fs'
import { createServer } from 'node:https'
import type { TLSSocket } from 'node:tls'
import type { Issued } from './pki.js'

export interface HttpsBackend {
  readonly port: number
  /** For each TLS connection accepted, in order: was it a resumed session? */
  readonly resumed: boolean[]
  /** For each TLS connection that made a request, in order: its client certificate's serial. */
  readonly clientSerials: string[]
  /** Presents `identity`'s certificate to the connections that follow. */
  use(identity: Issued): void
  close(): Promise<void>
}

export interface HttpsBackendOptions {
  /** Requires a client certificate signed by this CA (PEM file path). */
  readonly clientCa?: string
  /** Closes each connection after its response (every request comes on a new connection). */
  readonly closeEach?: boolean
}

/** Starts an HTTPS server on 127.0.0.1 (a free port) with `identity`'s certificate. */
export async function httpsBackend(
  identity: Issued,
  o: HttpsBackendOptions = {},
): Promise<HttpsBackend> {
  const ca = o.clientCa === undefined ? {} : { ca: readFileSync(o.clientCa) }
  const server = createServer(
    {
      cert: readFileSync(identity.cert),
      key: readFileSync(identity.key),
      ...(o.clientCa === undefined ? {} : { ...ca, requestCert: true, rejectUnauthorized: true }),
    },
    (req, res) => {
      const socket = req.socket as TLSSocket
      const peer = socket.getPeerCertificate()
      if (!counted.has(socket)) clientSerials.push(peer.serialNumber ?? 'none')
      counted.add(socket)
      if (o.closeEach === true) res.setHeader('connection', 'close')
      res.end(`hello ${peer.subject?.CN ?? 'anonymous'}`)
    },
  )
  const counted = new WeakSet<TLSSocket>()
  const clientSerials: string[] = []
  const resumed: boolean[] = []
  server.on('secureConnection', (s: TLSSocket) => resumed.push(s.isSessionReused()))
  server.on('tlsClientError', () => undefined)
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  return {
    port: (server.address() as { port: number }).port,
    resumed,
    clientSerials,
    use: (next) =>
      server.setSecureContext({
        cert: readFileSync(next.cert),
        key: readFileSync(next.key),
        ...ca,
      }),
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections()
        server.close(() => r())
      }),
  }
}
