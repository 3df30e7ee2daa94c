/**
 * What the TLS benchmark measures, each started as real processes in front of the proxy
 * benchmark's plain Node backend: nginx and the router terminating TLS, and two routers in a row
 * with or without mutual TLS between them. Certificates come from testing/tls/pki.ts (openssl):
 * ECDSA P-256 keys, one CA.
 */
import { makeCa, type Issued } from '../../testing/tls/pki.js'
import { stop, type Proc } from '../proxy/procs.js'
import { benchDtab, spawnRouter, startNginxProxy } from '../proxy/targets.js'

/** A thing wrk sends requests to: the first process takes them; `procs` are all whose CPU counts. */
export interface Target {
  readonly name: string
  readonly port: number
  readonly scheme: 'http' | 'https'
  readonly procs: readonly Proc[]
}

/** The certificates of a run: the CA, a server certificate for localhost/127.0.0.1, a client one. */
export interface Pki {
  readonly ca: string
  readonly server: Issued
  readonly client: Issued
}

export async function makePki(dir: string): Promise<Pki> {
  const ca = await makeCa(dir, 'bench-ca')
  const server = await ca.issue('server', { dns: ['localhost'], ip: ['127.0.0.1'] })
  const client = await ca.issue('hop-1', { usage: 'client' })
  return { ca: ca.cert, server, client }
}

/** The TLS versions both servers accept (the router's default); clients here negotiate 1.3. */
export const PROTOCOLS = ['TLSv1.2', 'TLSv1.3'] as const

/**
 * nginx, one worker, terminating TLS with a shared session cache as usually configured (the
 * handshake clients never resume) and keep-alive connections to the backend.
 */
export async function nginxTls(pki: Pki, backendPort: number): Promise<Target> {
  const upstream = `server 127.0.0.1:${backendPort}; keepalive 128;`
  const tls = [
    `ssl_certificate ${pki.server.cert};`,
    `ssl_certificate_key ${pki.server.key};`,
    `ssl_protocols ${PROTOCOLS.join(' ')};`,
    'ssl_session_cache shared:SSL:10m;',
  ].join(' ')
  const proc = await startNginxProxy('nginx TLS', 1, upstream, '', tls)
  return { name: proc.name, port: proc.port, scheme: 'https', procs: [proc] }
}

/** The router (one process) terminating TLS, routing `Host: bench` as the proxy benchmark's. */
export async function routerTls(
  pki: Pki,
  backendPorts: readonly [number, number],
): Promise<Target> {
  const tls = { certPath: pki.server.cert, keyPath: pki.server.key, protocols: PROTOCOLS }
  const proc = await spawnRouter('router TLS', { dtab: benchDtab(backendPorts) }, { tls })
  return { name: proc.name, port: proc.port, scheme: 'https', procs: [proc] }
}

/**
 * Two routers in a row: hop 1 takes plain HTTP and sends everything to hop 2, which routes to
 * the backend. With `mtls`, hop 1 speaks TLS to hop 2 with a client certificate (`clientAuth`)
 * and hop 2's server requires one signed by the CA (`requireClientAuth`).
 */
export async function twoHops(
  pki: Pki,
  backendPorts: readonly [number, number],
  mtls: boolean,
): Promise<Target> {
  const name = mtls ? 'two hops, mTLS' : 'two hops, plain'
  const { cert, key } = pki.server
  const tls = { certPath: cert, keyPath: key, caCertPath: pki.ca, requireClientAuth: true }
  const hop2Router = { dtab: benchDtab(backendPorts) }
  const hop2 = await spawnRouter(`${name}: hop 2`, hop2Router, mtls ? { tls } : {})
  const clientAuth = { certPath: pki.client.cert, keyPath: pki.client.key }
  const client = { tls: { commonName: 'localhost', trustCerts: [pki.ca], clientAuth } }
  const hop1Router = { dtab: `/svc => /$/inet/127.0.0.1/${hop2.port}`, ...(mtls ? { client } : {}) }
  const hop1 = await spawnRouter(`${name}: hop 1`, hop1Router).catch(async (e: unknown) => {
    await stop(hop2)
    throw e
  })
  return { name, port: hop1.port, scheme: 'http', procs: [hop1, hop2] }
}
