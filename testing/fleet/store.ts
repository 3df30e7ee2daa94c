/**
 * The dtab store a fleet's namerd replicas share: a real etcd or a real ZooKeeper on loopback,
 * with the namerd `storage` config that points at it. The server can be killed (`kill -9`) and
 * started again on the same port and data (`start`), for fault tests.
 */
import type { ExecutionContext } from 'ava'
import { startEtcd, type EtcdServer } from '../servers/etcd-server.js'
import { startZooKeeper, type ZkServer } from '../servers/zk-server.js'

/** The storage kinds a fleet can run on: `io.l5d.etcd` or `io.l5d.zk`. */
export type StoreKind = 'etcd' | 'zk'

/** The key prefix (etcd) or parent znode (ZooKeeper) every replica of a fleet shares. */
export const PATH_PREFIX = '/e2e/dynamic'

export interface Store {
  readonly kind: StoreKind
  /** The running server; `kill()` then `start()` brings it back on the same port and data. */
  readonly server: EtcdServer | ZkServer
  /** namerd's `storage` section for this server (one object per namerd config: clone it). */
  readonly storage: Record<string, unknown>
}

/** Starts a store of `kind`; it is stopped and its data deleted in `t.teardown`. */
export async function startStore(t: ExecutionContext, kind: StoreKind): Promise<Store> {
  if (kind === 'etcd') {
    const server = await startEtcd()
    t.teardown(() => server.cleanup())
    const storage = { kind: 'io.l5d.etcd', endpoints: [server.endpoint], pathPrefix: PATH_PREFIX }
    return { kind, server, storage }
  }
  const server = await startZooKeeper()
  t.teardown(() => server.cleanup())
  // linkerd's keys; the session timeout stays at its default (10 s), as in production.
  const zkAddrs = [{ host: '127.0.0.1', port: server.port }]
  return { kind, server, storage: { kind: 'io.l5d.zk', zkAddrs, pathPrefix: PATH_PREFIX } }
}
