/**
 * Examples are tests: every config in router/examples/ (and linkerd/) must parse, and the
 * namers and interpreters they describe must start (paths are relative to the repository root,
 * the working directory of the tests).
 */
import test from 'ava'
import { readdirSync } from 'node:fs'
import { join, relative } from 'node:path'
import {
  EMPTY_DTAB,
  readPath,
  showDtab,
  showPath,
  waitFor,
  type ActState,
} from '../../dtabs/index.js'
import { h2SettingsFor, parseConfig } from '../config/index.js'
import { startNamers } from '../../namers/index.js'
import { repoRoot } from '../../testing/paths.js'
import { readConfigFile } from '../../lib/config/file.js'

const root = repoRoot
const dir = join(root, 'router/examples')
const files = readdirSync(dir, { recursive: true, encoding: 'utf8' })
  .filter((f) => /\.(ya?ml|json)$/.test(f))
  .sort()

test('there are examples', (t) => {
  t.true(files.includes('single-host.yaml') && files.includes('canary.yaml'))
  t.true(files.filter((f) => f.startsWith('linkerd')).length >= 10)
})

/** The warnings each example is expected to give (none if not listed). */
const WARNINGS: Record<string, number> = {
  'linkerd/access-logs.yaml': 1,
  'linkerd/admin.yaml': 1,
  'linkerd/admin-tls.yaml': 1,
  'linkerd/h2.yaml': 4,
  'linkerd/http.yaml': 6,
  'linkerd/socket-options.yaml': 1,
  'linkerd/zipkin.yaml': 2,
}

/** Examples whose interpreter reads placeholder certificate paths at start: the error. */
const READ_AT_START: Record<string, RegExp> = {
  'linkerd/namerd-tls.yaml':
    /^routers\[\d\]\.interpreter\.tls\.trustCerts: cannot read certs\/namerd-ca\.pem \(ENOENT\)$/,
}

for (const file of files) {
  test(`${file} parses and starts`, async (t) => {
    const config = parseConfig(await readConfigFile(join(dir, file)))
    t.is(config.warnings.length, WARNINGS[file] ?? 0, config.warnings.join('\n'))
    const namers = startNamers(config.namers)
    t.teardown(() => namers.close())
    for (const r of config.routers) {
      if (file in READ_AT_START) {
        // Certificates are read at start; their placeholders are made real by an e2e test.
        const make = () => r.interpreter.make({ namers: namers.namers, dtab: r.dtab })
        t.throws(make, { message: READ_AT_START[file], code: 'ERR_CONFIG' })
        continue
      }
      const interp = r.interpreter.make({ namers: namers.namers, dtab: r.dtab, log: t.log })
      t.teardown(() => interp.close())
      r.identifier.make({ prefix: r.dstPrefix })
      if (r.interpreter.kind === 'io.l5d.namerd.http') {
        // No namerd here to bind through: check where it would ask (examples/per-host's test
        // routes through a real namerd).
        t.like(interp.state?.(), { namerd: 'http://localhost:4180', namespace: 'default' })
        continue
      }
      const state = interp.bind(EMPTY_DTAB, readPath('/svc/users-v1'))
      const settled = await waitFor(
        state,
        (s: ActState<unknown>) => s.type !== 'pending',
        2000,
        () => new Error(`${r.at}: still pending`),
      )
      t.not(settled.type, 'failed', `${relative(root, join(dir, file))} ${r.at}`)
    }
  })
}

test('single-host.yaml routes Host: users-v1 to the io.l5d.fs file of that name', async (t) => {
  const config = parseConfig(await readConfigFile(join(dir, 'single-host.yaml')))
  const r = config.routers[0]
  if (r === undefined) return t.fail()
  const identify = r.identifier.make({ prefix: r.dstPrefix })
  const id = identify({
    method: 'GET',
    url: '/',
    httpVersion: '1.1',
    headers: { host: 'users-v1' },
  })
  t.like(id, { ok: true, dst: ['svc', 'users-v1'] })
  const namers = startNamers(config.namers)
  t.teardown(() => namers.close())
  const interp = r.interpreter.make({ namers: namers.namers, dtab: r.dtab })
  t.teardown(() => interp.close())
  const state = interp.bind(EMPTY_DTAB, readPath('/svc/users-v1')).get()
  if (state.type !== 'ok' || state.value.type !== 'leaf') return t.fail(JSON.stringify(state))
  const addr = state.value.value.bound.addr.get()
  t.deepEqual(addr.type === 'bound' ? addr.addrs.map((a) => `${a.host}:${a.port}`) : addr, [
    '127.0.0.1:9001',
    '127.0.0.1:9002',
  ])
})

test('canary.yaml reads examples/dtabs/canary.dtab: a 99/1 split and a fail-over', async (t) => {
  const config = parseConfig(await readConfigFile(join(dir, 'canary.yaml')))
  const r = config.routers[0]
  if (r === undefined) return t.fail()
  const namers = startNamers(config.namers)
  t.teardown(() => namers.close())
  const interp = r.interpreter.make({ namers: namers.namers, dtab: r.dtab })
  t.teardown(() => interp.close())
  t.is(
    showDtab(interp.baseDtab()),
    '/srv=>/#/io.l5d.fs;/svc=>/srv;/svc/users=>99.00*/srv/users-v1 & /srv/users-v2;/svc/billing=>/srv/billing-zone-a | /srv/billing-zone-b',
  )
  const users = interp.bind(EMPTY_DTAB, readPath('/svc/users')).get()
  t.like(users, { type: 'ok', value: { type: 'union' } })
  const billing = interp.bind(EMPTY_DTAB, readPath('/svc/billing')).get()
  if (billing.type !== 'ok' || billing.value.type !== 'leaf') return t.fail(JSON.stringify(billing))
  t.deepEqual(billing.value.value.bound.id, ['#', 'io.l5d.fs', 'billing-zone-b'])
})

test('grpc-canary.yaml names a gRPC call by its service and splits users.Users 90/10', async (t) => {
  const config = parseConfig(await readConfigFile(join(dir, 'grpc-canary.yaml')))
  const r = config.routers[0]
  if (r === undefined) return t.fail()
  t.is(r.protocol, 'h2')
  const identify = r.identifier.make({ prefix: r.dstPrefix })
  const raw = [':method', 'POST', ':path', '/users.Users/Get', ':authority', 'localhost:4142']
  const call = { method: 'POST', url: '/users.Users/Get', httpVersion: '2.0', rawHeaders: raw }
  const id = identify({ ...call, headers: {} })
  t.like(id, { ok: true, dst: ['svc', 'users.Users'] })
  const namers = startNamers(config.namers)
  t.teardown(() => namers.close())
  const interp = r.interpreter.make({ namers: namers.namers, dtab: r.dtab })
  t.teardown(() => interp.close())
  const state = interp.bind(EMPTY_DTAB, readPath('/svc/users.Users')).get()
  if (state.type !== 'ok' || state.value.type !== 'union') return t.fail(JSON.stringify(state))
  t.deepEqual(
    state.value.trees.map((w) => [
      w.weight,
      w.tree.type === 'leaf' ? showPath(w.tree.value.bound.id) : '',
    ]),
    [
      [90, '/#/io.l5d.fs/users-v1'],
      [10, '/#/io.l5d.fs/users-v2'],
    ],
  )
})

test("linkerd's h2.yaml and h2spec.yaml: h2 routers on :authority with their settings", async (t) => {
  const h2 = parseConfig(await readConfigFile(join(dir, 'linkerd/h2.yaml')))
  const r = h2.routers[0]
  if (r === undefined) return t.fail()
  t.like(r, { protocol: 'h2', label: 'h2', accessLog: 'logs/access.log' })
  t.like(r.servers[0], {
    port: 4142,
    h2: { maxConcurrentStreamsPerConnection: 300, initialStreamWindowBytes: 1_048_576 },
  })
  t.deepEqual(h2SettingsFor(r.client, readPath('/#/io.l5d.fs/cat')), {
    initialStreamWindowBytes: 1_048_576,
  })
  const identify = r.identifier.make({ prefix: r.dstPrefix })
  const head = { method: 'GET', url: '/', httpVersion: '2.0' }
  t.like(identify({ ...head, headers: { ':authority': 'localhost:4142' } }), {
    ok: true,
    dst: ['svc', 'localhost:4142'],
  })
  const spec = parseConfig(await readConfigFile(join(dir, 'linkerd/h2spec.yaml')))
  t.like(spec.routers[0], { protocol: 'h2', label: 'h2' })
  t.like(spec.routers[0]?.servers[0], { ip: '0.0.0.0', port: 4140, h2: {} })
})
