/**
 * A whole dynamic-routing system for one end-to-end test, every part real: a store (an etcd by
 * default, or a ZooKeeper); namerd replicas on it (`io.l5d.etcd` or `io.l5d.zk`, one
 * pathPrefix, an `io.l5d.fs` namer over a temp disco dir holding services `v1` and `v2`);
 * backends v1 and v2 that answer their version; routers (`bin/router.js`) following namerd
 * through `io.l5d.namerd.http` (router A → namerd 1, router B → namerd 2, so that what B sees of
 * a change made through namerd 1 came through the store); and the real `namerctl` pointed at
 * namerd 1 (or at another replica with `ctlAt`). Everything started is stopped in `t.teardown`.
 */
import type { ExecutionContext } from 'ava'
import { mkdtempSync, writeFileSync } from 'node:fs'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { join } from 'node:path'
import { freePort } from '../free-port.js'
import { namerctl, type Run } from '../namerctl/harness.js'
import { TcpRelay } from '../servers/tcp-relay.js'
import { backend, disco, startRouter, tempDir } from '../router/process.js'
import type { RunningRouter } from '../router/process.js'
import { NamerdNode, namerdConfig } from './namerd-node.js'
import { startStore, type Store, type StoreKind } from './store.js'

/** The namerd namespace every router of a fleet follows. */
export const NAMESPACE = 'shop'

export interface FleetOptions {
  /** The store the replicas share (default `etcd`). */
  readonly store?: StoreKind
  /** namerd replicas on the one store (default 2). */
  readonly namerds?: 1 | 2
  /** Routers (default 2); router i follows namerd i, or namerd 1 when there is only one. */
  readonly routers?: 1 | 2
  /** Router A reaches its namerd through a TcpRelay (`fleet.relay`) that can cut it off. */
  readonly relayA?: boolean
  /** The routers' `bindingTimeoutMs` (default the router's, 10 s). */
  readonly bindingTimeoutMs?: number
}

/** A router of the fleet: its ports and admin base URL (`http://127.0.0.1:PORT`). */
export interface RouterNode extends RunningRouter {
  readonly name: string
  readonly admin: string
}

export interface Fleet {
  /** The store and its server (`fleet.store.server.kill()`, then `.start()`). */
  readonly store: Store
  readonly namerds: readonly NamerdNode[]
  readonly routers: readonly RouterNode[]
  /** Between router A and its namerd, with `relayA`. */
  readonly relay: TcpRelay | undefined
  /** The real `namerctl ...args --base-url <namerd 1>`. */
  ctl(...args: string[]): Promise<Run>
  /** The real `namerctl ...args --base-url <namerd i+1>` (`ctlAt(0, ...)` is `ctl`). */
  ctlAt(i: number, ...args: string[]): Promise<Run>
  /** A temp file holding `text`, for `namerctl dtab create|update NS FILE`. */
  dtabFile(text: string): string
}

/** Starts a fleet for test `t`; see the file header. */
export async function startFleet(t: ExecutionContext, o: FleetOptions = {}): Promise<Fleet> {
  const dir = tempDir(t)
  const store = await startStore(t, o.store ?? 'etcd')
  const [v1, v2] = [await backend(t, 'v1', version), await backend(t, 'v2', version)]
  const root = disco(dir, { v1: [v1], v2: [v2] })
  const config = (port: number, adminPort: number) =>
    namerdConfig({ storage: store.storage, rootDir: root, port, adminPort })
  const namerds = await Promise.all(
    Array.from({ length: o.namerds ?? 2 }, async () =>
      NamerdNode.start(t, dir, config(await freePort(), await freePort())),
    ),
  )
  const first = namerds[0] as NamerdNode
  const relay = o.relayA === true ? await TcpRelay.start(first.port) : undefined
  if (relay !== undefined) t.teardown(() => relay.close())
  const routers = await Promise.all(
    Array.from({ length: o.routers ?? 2 }, async (_, i) => {
      const namerd = namerds[i] ?? first
      const port = i === 0 && relay !== undefined ? relay.port : namerd.port
      const r = await startRouter(t, dir, routerConfig(port, o.bindingTimeoutMs))
      return { ...r, name: i === 0 ? 'A' : 'B', admin: `http://127.0.0.1:${r.adminPort}` }
    }),
  )
  const files = mkdtempSync(join(dir, 'dtabs-'))
  let n = 0
  const ctlAt = async (i: number, ...args: string[]): Promise<Run> => {
    const namerd = namerds[i]
    if (namerd === undefined) throw new Error(`no namerd ${i + 1} in this fleet`)
    return namerctl([...args, '--base-url', namerd.api])
  }
  return {
    store,
    namerds,
    routers,
    relay,
    ctl: (...args) => ctlAt(0, ...args),
    ctlAt,
    dtabFile(text) {
      const file = join(files, `${++n}.dtab`)
      writeFileSync(file, text)
      return file
    },
  }
}

/** A backend that answers 200 with its name (`v1`, `v2`) as the body. */
function version(req: IncomingMessage, res: ServerResponse, name: string): void {
  req.resume()
  req.on('end', () => {
    res.writeHead(200, { 'content-type': 'text/plain' })
    res.end(name)
  })
}

function routerConfig(namerdPort: number, bindingTimeoutMs: number | undefined) {
  const interpreter = {
    kind: 'io.l5d.namerd.http',
    dst: `/$/inet/127.0.0.1/${namerdPort}`,
    namespace: NAMESPACE,
    // Fast reconnection, so that a test waits seconds, not minutes, after a fault ends.
    retry: { baseSeconds: 0.1, maxSeconds: 1 },
  }
  const timeout = bindingTimeoutMs === undefined ? {} : { bindingTimeoutMs }
  return { routers: [{ protocol: 'http', interpreter, ...timeout }] }
}
