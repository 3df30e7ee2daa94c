/**
 * linkerd 1.7.5's servicemesh example (router/examples/linkerd/servicemesh.yaml) run by the
 * real `router` binary. Only what cannot stay as written on a shared machine is changed: the
 * ports (4140, 4141 and the admin's 9990 become free ports; io.l5d.port follows the incoming
 * port) and the service files' directory (a temp dir naming backends on free ports, written in
 * the example's own `127.1 <port>` style). Every request must reach its backend: through
 * outgoing → incoming → instance, and straight into the incoming router.
 */
import test from 'ava'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { parse as parseYaml } from 'yaml'
import { freePort } from '../../testing/free-port.js'
import { repoPath } from '../../testing/paths.js'
import { startProgram } from '../../testing/program.js'
import {
  backend,
  client,
  echoed,
  send,
  tempDir,
  type Backend,
} from '../../testing/router/process.js'

const example = repoPath('router/examples/linkerd/servicemesh.yaml')

interface Servicemesh {
  admin?: { port: number }
  namers: { kind: string; rootDir: string }[]
  routers: {
    label: string
    interpreter: { transformers: { kind: string; port?: number }[] }
    servers: { port: number; ip?: string }[]
  }[]
}

/** The example's service files, each naming its backend as `127.1 <port>`. */
function serviceFiles(dir: string, backends: readonly Backend[]): string {
  const root = join(dir, 'io.l5d.fs')
  mkdirSync(root)
  for (const b of backends) writeFileSync(join(root, b.name), `127.1 ${b.port}\n`)
  return root
}

/** The example on free ports, its service files in `rootDir`; the ports of both routers. */
async function onFreePorts(config: Servicemesh, rootDir: string) {
  const [outgoing, incoming] = config.routers
  const [toPort] = outgoing?.interpreter.transformers ?? []
  if (outgoing?.servers[0] === undefined || incoming?.servers[0] === undefined || !toPort) {
    throw new Error('servicemesh.yaml no longer has its two routers')
  }
  const [outPort, inPort] = [await freePort(), await freePort()]
  outgoing.servers[0].port = outPort
  incoming.servers[0].port = inPort
  toPort.port = inPort
  config.admin = { port: await freePort() }
  ;(config.namers[0] as { rootDir: string }).rootDir = rootDir
  return { outPort, inPort, adminPort: config.admin.port }
}

test('linkerd servicemesh.yaml: requests reach the backends through both routers', async (t) => {
  t.timeout(60_000)
  const dir = tempDir(t)
  const [cat, dog] = [await backend(t, 'cat'), await backend(t, 'dog')]
  const config = parseYaml(readFileSync(example, 'utf8')) as Servicemesh
  // What the example relies on: io.l5d.port sends to the incoming router's port.
  t.deepEqual(
    config.routers.map((r) => [r.label, r.servers[0]?.port, r.interpreter.transformers]),
    [
      ['outgoing', 4140, [{ kind: 'io.l5d.port', port: 4141 }]],
      ['incoming', 4141, [{ kind: 'io.l5d.localhost' }]],
    ],
  )
  const ports = await onFreePorts(config, serviceFiles(dir, [cat, dog]))
  const file = join(dir, 'servicemesh.json')
  writeFileSync(file, JSON.stringify(config))
  const router = await startProgram(t, {
    name: 'router',
    bin: repoPath('bin/router.js'),
    args: [file],
    admin: `http://127.0.0.1:${ports.adminPort}`,
    readyWithinMs: 15_000,
  })
  const agent = client(t)

  const viaBoth = await send(agent, ports.outPort, '/meow', { host: 'cat' })
  t.is(viaBoth.status, 200, `${viaBoth.body}\n${router.output()}`)
  t.like(echoed(viaBoth), {
    backend: 'cat',
    url: '/meow',
    headers: {
      via: '1.1 linkerd, 1.1 linkerd',
      'l5d-dst-client': '/%/io.l5d.localhost/#/io.l5d.fs/cat',
    },
  })

  const incomingOnly = await send(agent, ports.inPort, '/woof', { host: 'dog' })
  t.is(incomingOnly.status, 200, incomingOnly.body)
  t.like(echoed(incomingOnly), { backend: 'dog', url: '/woof', headers: { via: '1.1 linkerd' } })

  t.deepEqual([cat.seen.map((s) => s.url), dog.seen.map((s) => s.url)], [['/meow'], ['/woof']])
})
