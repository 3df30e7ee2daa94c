/**
 * The repository's top-level examples/ are tests too: the per-host router config parses, passes
 * `router --validate`, and routes through a real namerd exactly as its comments say; the
 * systemd units agree with what the binaries do; examples/README.md lists every example.
 */
import test from 'ava'
import { spawnSync } from 'node:child_process'
import { readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { parse as parseYaml } from 'yaml'
import { freePort } from '../../testing/free-port.js'
import { startProgram } from '../../testing/program.js'
import { startNamerd } from '../../testing/namerd/process.js'
import { parseConfig } from '../../router/config/index.js'
import { readConfigFile } from '../../lib/config/file.js'
import { repoRoot } from '../../testing/paths.js'
import { backend, client, disco, echoed, send, tempDir } from '../../testing/router/process.js'

const root = repoRoot
const examples = join(root, 'examples')
const perHost = join(examples, 'per-host/router.yaml')
const routerBin = join(root, 'bin/router.js')

test('per-host/router.yaml: outgoing 4140 (io.l5d.port 4141) and incoming 4141 (io.l5d.localhost)', async (t) => {
  const config = parseConfig(await readConfigFile(perHost))
  t.deepEqual(config.warnings, [])
  t.is(config.admin.ip, '127.0.0.1')
  const [outgoing, incoming] = config.routers
  t.is(config.routers.length, 2)
  t.like(outgoing, { label: 'outgoing', interpreter: { kind: 'io.l5d.namerd.http' } })
  // Local apps only (loopback): their overrides may name literal addresses, the default.
  t.like(outgoing?.servers, [
    { ip: '127.0.0.1', port: 4140, clearContext: false, literalOverrides: 'loopback' },
  ])
  t.like(incoming, { label: 'incoming', interpreter: { kind: 'io.l5d.namerd.http' } })
  // Other hosts' routers: their l5d-ctx-* headers are read, literal addresses are not taken.
  t.like(incoming?.servers, [
    { ip: '0.0.0.0', port: 4141, clearContext: false, literalOverrides: 'loopback' },
  ])
  const raw = parseYaml(readFileSync(perHost, 'utf8')) as PerHost
  t.deepEqual(raw.routers[0]?.interpreter.transformers, [{ kind: 'io.l5d.port', port: 4141 }])
  t.deepEqual(raw.routers[1]?.interpreter.transformers, [{ kind: 'io.l5d.localhost' }])
  t.is(raw.routers[0]?.interpreter.namespace, raw.routers[1]?.interpreter.namespace)
})

test('per-host/router.yaml passes router --validate', (t) => {
  const r = spawnSync(process.execPath, [routerBin, '--validate', perHost], { encoding: 'utf8' })
  t.is(r.status, 0, r.stderr)
  t.regex(r.stdout, /valid \(2 router\(s\)\)/)
})

interface PerHost {
  admin: { ip: string; port: number }
  routers: {
    interpreter: { dst: string; namespace: string; transformers: Record<string, unknown>[] }
    servers: { ip: string; port: number }[]
  }[]
}

test('per-host/router.yaml routes app → outgoing → incoming → instance through namerd', async (t) => {
  t.timeout(60_000)
  const [web, canary] = [await backend(t, 'web'), await backend(t, 'canary')]
  const dir = tempDir(t)
  const namerd = await startNamerd(t, dir, {
    storage: {
      kind: 'io.l5d.file',
      path: join(dir, 'dtabs.json'),
      namespaces: { default: '/svc => /#/io.l5d.fs' },
    },
    namers: [{ kind: 'io.l5d.fs', rootDir: disco(dir, { web: [web], canary: [canary] }) }],
  })
  // The example as written, on free ports (4140, 4141, 9990 and namerd's 4180 may be taken).
  const config = parseYaml(readFileSync(perHost, 'utf8')) as PerHost
  const [outgoing, incoming] = config.routers
  if (outgoing === undefined || incoming === undefined) return t.fail()
  const [outPort, inPort] = [await freePort(), await freePort()]
  config.admin.port = await freePort()
  for (const r of config.routers)
    r.interpreter.dst = `/$/inet/127.0.0.1/${new URL(namerd.api).port}`
  t.is(outgoing.interpreter.transformers[0]?.port, incoming.servers[0]?.port)
  ;(outgoing.interpreter.transformers[0] as { port: number }).port = inPort
  outgoing.servers[0] = { ...(outgoing.servers[0] as { ip: string }), port: outPort }
  incoming.servers[0] = { ...(incoming.servers[0] as object), ip: '127.0.0.1', port: inPort }
  const file = join(dir, 'per-host.json')
  writeFileSync(file, JSON.stringify(config))
  await startProgram(t, {
    name: 'router',
    bin: routerBin,
    args: [file],
    admin: `http://127.0.0.1:${config.admin.port}`,
    readyWithinMs: 15_000,
  })
  const agent = client(t)
  const reply = await send(agent, outPort, '/', { host: 'web' })
  t.is(reply.status, 200, reply.body)
  const seen = echoed(reply)
  t.is(seen.backend, 'web')
  t.is(seen.headers['via'], '1.1 linkerd, 1.1 linkerd')
  t.is(seen.headers['l5d-dst-client'], '/%/io.l5d.localhost/#/io.l5d.fs/web')

  // With an override, the outgoing router still hands over to this host's incoming server
  // (io.l5d.port made that hop), and the override steers both hops.
  const steered = await send(agent, outPort, '/', {
    host: 'web',
    'l5d-dtab': '/svc/web => /#/io.l5d.fs/canary',
  })
  t.is(steered.status, 200, steered.body)
  t.is(echoed(steered).backend, 'canary')
  t.is(echoed(steered).headers['l5d-dst-client'], '/%/io.l5d.localhost/#/io.l5d.fs/canary')
  // An override aimed at the router's admin or at namerd goes nowhere, on either hop.
  for (const port of [config.admin.port, Number(new URL(namerd.api).port)]) {
    const dtab = `/svc/foo => /$/inet/127.0.0.1/${port}`
    const attack = await send(
      agent,
      outPort,
      '/admin/shutdown',
      { host: 'foo', 'l5d-dtab': dtab },
      'POST',
    )
    t.is(attack.status, 400, attack.body)
    t.regex(attack.body, /may not reach the router or namerd/)
  }
  t.is((await send(agent, outPort, '/', { host: 'web' })).status, 200, 'still routing')
})

/** `Key=value` lines of a unit file (later ones win; comments skipped). */
function unit(name: string): Map<string, string> {
  const text = readFileSync(join(examples, 'systemd', name), 'utf8')
  const keys = new Map<string, string>()
  for (const line of text.split('\n')) {
    const m = /^([A-Za-z]+)=(.*)$/.exec(line)
    if (m !== null) keys.set(m[1] as string, m[2] as string)
  }
  return keys
}

test('the systemd units run the binaries as a dedicated user and outlast the drain grace', async (t) => {
  const grace = parseConfig(await readConfigFile(perHost)).admin.shutdownGraceMs
  for (const [name, bin, config] of [
    ['router.service', 'router.js', 'router.yaml'],
    ['namerd.service', 'namerd.js', 'namerd.yaml'],
  ] as const) {
    const u = unit(name)
    t.is(u.get('ExecStart'), `/usr/bin/node /opt/dtab-router/bin/${bin} /etc/dtab-router/${config}`)
    t.is(u.get('User'), 'dtab-router')
    t.is(u.get('Restart'), 'on-failure')
    t.is(u.get('KillSignal'), 'SIGTERM')
    t.true(Number(u.get('TimeoutStopSec')) * 1000 > grace, name)
    for (const key of ['NoNewPrivileges', 'ProtectHome', 'PrivateTmp']) t.is(u.get(key), 'yes')
    t.is(u.get('ProtectSystem'), 'strict')
    t.true(Number(u.get('LimitNOFILE')) >= 65536)
    t.false(u.has('MemoryDenyWriteExecute'), 'V8 needs writable executable memory')
    t.false(u.has('PrivateNetwork'), 'a network proxy needs the network')
  }
  t.is(unit('namerd.service').get('ReadWritePaths'), '/var/lib/namerd')
})

test('examples/README.md lists every example', (t) => {
  const readme = readFileSync(join(examples, 'README.md'), 'utf8')
  const listed = readdirSync(examples, { recursive: true, encoding: 'utf8' })
    .filter((f) => /\.(ya?ml|service|md|dtab)$/.test(f) && f !== 'README.md')
    .sort()
  t.true(listed.length >= 8)
  for (const f of listed) t.true(readme.includes(`(${f})`), `${f} is not in examples/README.md`)
})
