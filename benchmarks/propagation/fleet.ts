/**
 * The processes of one propagation measurement: the two backends, a real `namerd` (bin/namerd.js)
 * on a given store with an `io.l5d.fs` namer over a temp disco dir, and N real routers
 * (bin/router.js, through its shebang as the installed command runs) following namerd with the
 * `io.l5d.namerd.http` interpreter.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { freePort } from '../../testing/free-port.js'
import { repoPath } from '../../testing/paths.js'
import { forkProc, spawnProc, waitUntil, type Proc } from './procs.js'

const bin = (name: string): string => repoPath(`bin/${name}.js`)
export const namerdBin = bin('namerd')
export const routerBin = bin('router')
export const namerctlBin = bin('namerctl')

/** The namespace every router follows. */
export const NAMESPACE = 'bench'

/** A heap cap for each router: 50 of them share the machine; one needs far less than this. */
const ROUTER_NODE_OPTIONS = '--max-old-space-size=96'

/**
 * Starts the backends and writes the disco dir: `<dir>/disco/v1` and `v2`, one endpoint each.
 * Returns the disco dir.
 */
export async function startBackends(dir: string): Promise<string> {
  const script = fileURLToPath(new URL('./backends.js', import.meta.url))
  const { message } = await forkProc<{ v1: number; v2: number }>('backends', script)
  const disco = join(dir, 'disco')
  mkdirSync(disco, { recursive: true })
  writeFileSync(join(disco, 'v1'), `127.0.0.1 ${message.v1}\n`)
  writeFileSync(join(disco, 'v2'), `127.0.0.1 ${message.v2}\n`)
  return disco
}

/** Starts namerd on `storage`; resolves with its API base URL once it answers. */
export async function startNamerd(
  storage: Record<string, unknown>,
  disco: string,
  dir: string,
): Promise<{ api: string; proc: Proc }> {
  const port = await freePort()
  const config = {
    admin: { port: await freePort() },
    storage,
    namers: [{ kind: 'io.l5d.fs', rootDir: disco }],
    interfaces: [{ kind: 'io.l5d.httpController', port }],
  }
  const file = join(dir, 'namerd.json')
  writeFileSync(file, JSON.stringify(config))
  const proc = spawnProc('namerd', [process.execPath, namerdBin, file], { LOG_LEVEL: 'warn' })
  const api = `http://127.0.0.1:${port}`
  await waitUntil('namerd', async () => (await fetch(`${api}/api/1/dtabs`)).ok, proc)
  return { api, proc }
}

/** One router: its data port and its process. */
export interface Router {
  readonly port: number
  readonly proc: Proc
}

/** Starts one router following namerd's `bench` namespace; resolves once `/admin/ready`. */
export async function startRouter(namerdPort: number, dir: string, i: number): Promise<Router> {
  const port = await freePort()
  const adminPort = await freePort()
  const interpreter = {
    kind: 'io.l5d.namerd.http',
    dst: `/$/inet/127.0.0.1/${namerdPort}`,
    namespace: NAMESPACE,
    retry: { baseSeconds: 0.1, maxSeconds: 1 },
  }
  const config = {
    admin: { port: adminPort },
    routers: [{ protocol: 'http', interpreter, servers: [{ port }] }],
  }
  const file = join(dir, `router-${i}.json`)
  writeFileSync(file, JSON.stringify(config))
  const nodeOptions = `${process.env['NODE_OPTIONS'] ?? ''} ${ROUTER_NODE_OPTIONS}`.trim()
  const proc = spawnProc(`router ${i}`, [routerBin, file], {
    LOG_LEVEL: 'warn',
    NODE_OPTIONS: nodeOptions,
  })
  const ready = `http://127.0.0.1:${adminPort}/admin/ready`
  await waitUntil(`router ${i} /admin/ready`, async () => (await fetch(ready)).ok, proc)
  return { port, proc }
}

/**
 * Starts `n` routers, `parallel` at a time (staggered: a router's startup takes most of a core
 * for a few hundred ms, and 50 at once would starve each other and namerd).
 */
export async function startRouters(
  n: number,
  namerdPort: number,
  dir: string,
  parallel = 2,
): Promise<Router[]> {
  const routers: Router[] = []
  for (let i = 0; i < n; i += parallel) {
    const batch = Array.from({ length: Math.min(parallel, n - i) }, (_, j) =>
      startRouter(namerdPort, dir, i + j),
    )
    routers.push(...(await Promise.all(batch)))
  }
  return routers
}
