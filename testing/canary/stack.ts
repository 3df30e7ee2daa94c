/**
 * What the canary end-to-end tests run against: a real etcd, a namerd on it, two routers
 * following namerd's `shop` namespace (`Host: x` names `/svc/x`), an io.l5d.fs namer in namerd
 * whose `admins` file lists both routers' admin ports, a Prometheus scraping both routers,
 * backends that answer as a test asks, and a steady load through both routers.
 */
import type { ExecutionContext } from 'ava'
import { mkdirSync, writeFileSync } from 'node:fs'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { join } from 'node:path'
import { Agent } from 'undici'
import { startNamerd, type NamerdProcess } from '../namerd/process.js'
import { Cleanups } from '../namerctl/setup.js'
import { backend, send, startRouter, tempDir, type RunningRouter } from '../router/process.js'
import { startEtcd } from '../servers/etcd-server.js'
import { startPrometheus, type PrometheusServer } from '../servers/prometheus.js'

export interface CanaryStack {
  readonly namerd: NamerdProcess
  readonly routers: readonly RunningRouter[]
  readonly prometheus: PrometheusServer
  /** The routers' admin base URLs. */
  readonly admins: readonly string[]
  /** A namer path that namerd binds to both routers' admin addresses. */
  readonly adminPath: string
}

/** The dtab destination of a backend on `port`. */
export const inet = (port: number): string => `/$/inet/127.0.0.1/${port}`

/** Starts the stack; everything is stopped by `cleanups`. */
export async function startStack(cleanups: Cleanups): Promise<CanaryStack> {
  const etcd = await startEtcd()
  cleanups.add(() => etcd.cleanup())
  const dir = tempDir(cleanups.context)
  const [host, port0] = etcd.endpoint.split(':')
  const storage = { kind: 'io.l5d.etcd', host, port: Number(port0) }
  const disco = join(dir, 'disco')
  mkdirSync(disco)
  const namers = [{ kind: 'io.l5d.fs', rootDir: disco }]
  const namerd = await startNamerd(cleanups.context, dir, { storage, namers })
  const port = Number(new URL(namerd.api).port)
  const router = () => ({
    routers: [
      {
        protocol: 'http',
        label: 'edge',
        interpreter: {
          kind: 'io.l5d.namerd.http',
          experimental: true,
          dst: inet(port),
          namespace: 'shop',
        },
      },
    ],
  })
  const routers = [
    await startRouter(cleanups.context, dir, router()),
    await startRouter(cleanups.context, dir, router()),
  ]
  const prometheus = await startPrometheus(routers.map((r) => `127.0.0.1:${r.adminPort}`))
  cleanups.add(() => prometheus.cleanup())
  const admins = routers.map((r) => `http://127.0.0.1:${r.adminPort}`)
  writeFileSync(join(disco, 'admins'), routers.map((r) => `127.0.0.1 ${r.adminPort}\n`).join(''))
  return { namerd, routers, prometheus, admins, adminPath: '/#/io.l5d.fs/admins' }
}

/** A backend answering 200 after `delayMs`, or 500 for every `failEvery`-th request. */
export function canaryBackend(t: ExecutionContext, name: string, delayMs = 0, failEvery = 0) {
  let n = 0
  return backend(t, name, (req: IncomingMessage, res: ServerResponse) => {
    req.resume()
    const status = failEvery > 0 && ++n % failEvery === 0 ? 500 : 200
    setTimeout(() => res.writeHead(status, { 'x-backend': name }).end(name), delayMs)
  })
}

/** What a steady load saw, by backend, and its failures (any answer but 200). */
export interface LoadTally {
  readonly byBackend: Map<string, number>
  failed: number
  total: number
  stop(): Promise<void>
}

/** `concurrency` loops sending `Host: host` through the routers in turn until stopped. */
export function steadyLoad(
  routers: readonly RunningRouter[],
  host: string,
  concurrency = 4,
): LoadTally {
  const agent = new Agent({ connections: concurrency, pipelining: 1 })
  let running = true
  const tally: LoadTally = {
    byBackend: new Map(),
    failed: 0,
    total: 0,
    stop: async () => {
      running = false
      await Promise.all(loops)
      await agent.close()
    },
  }
  const loop = async (k: number) => {
    for (let i = k; running; i++) {
      const r = routers[i % routers.length] as RunningRouter
      const reply = await send(agent, r.port, '/', { host }).catch(() => undefined)
      const name = String(reply?.headers['x-backend'] ?? 'none')
      tally.byBackend.set(name, (tally.byBackend.get(name) ?? 0) + 1)
      tally.total++
      if (reply?.status !== 200) tally.failed++
    }
  }
  const loops = Array.from({ length: concurrency }, (_, k) => loop(k))
  return tally
}
