import { join } from 'node:path'
import { Service, freePort, serviceDir, startWithRetry } from './services.js'

/** A single-node etcd on loopback (Debian `etcd-server`), for tests. */
export class EtcdServer extends Service {
  constructor(
    readonly port: number,
    peerPort: number,
    dir: string,
  ) {
    const url = (p: number): string => `http://127.0.0.1:${p}`
    super(
      {
        name: 'etcd',
        requires: '/usr/bin/etcd',
        argv: [
          '/usr/bin/etcd',
          ...['--name', 'test', '--data-dir', join(dir, 'data')],
          ...['--listen-client-urls', url(port), '--advertise-client-urls', url(port)],
          ...['--listen-peer-urls', url(peerPort), '--initial-advertise-peer-urls', url(peerPort)],
          ...['--initial-cluster', `test=${url(peerPort)}`, '--initial-cluster-state', 'new'],
          ...['--logger', 'zap', '--log-level', 'error'],
          ...['--heartbeat-interval', '50', '--election-timeout', '500'],
        ],
        ready: async () => (await fetch(`${url(port)}/health`)).ok,
      },
      dir,
    )
  }

  /** `127.0.0.1:PORT`, for the etcd3 client's `hosts`. */
  get endpoint(): string {
    return `127.0.0.1:${this.port}`
  }
}

/** Starts etcd on free ports (retrying with new ports if one was taken meanwhile). */
export function startEtcd(): Promise<EtcdServer> {
  return startWithRetry(
    async () => new EtcdServer(await freePort(), await freePort(), serviceDir('etcd')),
  )
}
