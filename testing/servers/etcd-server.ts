import { request } from 'node:https'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { Service, freePort, serviceDir, startWithRetry } from './services.js'

/** TLS for an etcd under test: its server certificate, and the CA its clients must present. */
export interface EtcdTls {
  /** The server's certificate and key (PEM paths); its names must include 127.0.0.1. */
  readonly cert: string
  readonly key: string
  /** The CA that signs the clients' certificates: a client without one is refused. */
  readonly clientCa: string
  /** A client certificate and key the readiness check uses. */
  readonly client: { readonly cert: string; readonly key: string }
}

/** A single-node etcd on loopback (Debian `etcd-server`), for tests; over TLS when given. */
export class EtcdServer extends Service {
  constructor(
    readonly port: number,
    peerPort: number,
    dir: string,
    readonly tls?: EtcdTls,
  ) {
    const scheme = tls === undefined ? 'http' : 'https'
    const url = (p: number): string => `${scheme}://127.0.0.1:${p}`
    const peer = (p: number): string => `http://127.0.0.1:${p}`
    super(
      {
        name: 'etcd',
        requires: '/usr/bin/etcd',
        argv: [
          '/usr/bin/etcd',
          ...['--name', 'test', '--data-dir', join(dir, 'data')],
          ...['--listen-client-urls', url(port), '--advertise-client-urls', url(port)],
          ...[
            '--listen-peer-urls',
            peer(peerPort),
            '--initial-advertise-peer-urls',
            peer(peerPort),
          ],
          ...['--initial-cluster', `test=${peer(peerPort)}`, '--initial-cluster-state', 'new'],
          ...['--logger', 'zap', '--log-level', 'error'],
          ...['--heartbeat-interval', '50', '--election-timeout', '500'],
          ...(tls === undefined ? [] : tlsFlags(tls)),
        ],
        ready: () => (tls === undefined ? plainHealthy(url(port)) : tlsHealthy(port, tls)),
      },
      dir,
    )
  }

  /** `127.0.0.1:PORT`, for the etcd3 client's `hosts`. */
  get endpoint(): string {
    return `127.0.0.1:${this.port}`
  }
}

function tlsFlags(tls: EtcdTls): string[] {
  return [
    ...['--cert-file', tls.cert, '--key-file', tls.key],
    ...['--client-cert-auth', '--trusted-ca-file', tls.clientCa],
  ]
}

async function plainHealthy(url: string): Promise<boolean> {
  return (await fetch(`${url}/health`)).ok
}

function tlsHealthy(port: number, tls: EtcdTls): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path: '/health',
        ca: readFileSync(tls.clientCa),
        cert: readFileSync(tls.client.cert),
        key: readFileSync(tls.client.key),
      },
      (res) => {
        res.resume()
        resolve(res.statusCode === 200)
      },
    )
    req.on('error', () => resolve(false))
    req.end()
  })
}

/**
 * Starts etcd on free ports (retrying with new ports if one was taken meanwhile); over TLS, with
 * client certificates required, when `tls` is given.
 */
export function startEtcd(tls?: EtcdTls): Promise<EtcdServer> {
  return startWithRetry(
    async () => new EtcdServer(await freePort(), await freePort(), serviceDir('etcd'), tls),
  )
}
