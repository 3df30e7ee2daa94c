/**
 * Examples are tests: every config in router/examples/ (and linkerd/) must parse, and the
 * namers and interpreters they describe must start (paths are relative to the repository root,
 * the working directory of the tests).
 */
import test from 'ava'
import { readdirSync } from 'node:fs'
import { join, relative } from 'node:path'
import { EMPTY_DTAB, readPath, showDtab, waitFor, type ActState } from '../../dtabs/index.js'
import { parseConfig } from '../config/index.js'
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
