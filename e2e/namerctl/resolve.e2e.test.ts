/**
 * namerctl delegate and bind online (namerd's /api/1 answers) and offline (--dtab-file), against
 * a real namerd on the io.l5d.file store with an io.l5d.fs namer.
 */
import test from 'ava'
import {
  against,
  failsWith,
  inputFile,
  namerctl,
  printed,
  show,
  type Run,
} from '../../testing/namerctl/harness.js'
import {
  Cleanups,
  startFileNamerd,
  uniqueName,
  type FileNamerd,
} from '../../testing/namerctl/setup.js'
import { NamerdApi } from '../../testing/namerctl/namerd-api.js'

const cleanups = new Cleanups()
let n: FileNamerd
let api: NamerdApi
let ctl: (...args: string[]) => Promise<Run>
test.before(async () => {
  n = await startFileNamerd(cleanups, {
    web: '127.0.0.1 8080\n',
    'users-v1': '10.0.0.1 80\n10.0.0.3 80\n',
    'users-v2': '10.0.0.2 80\n',
  })
  api = new NamerdApi(n.namerd.api)
  ctl = against(n.namerd.api)
})
test.after.always(() => cleanups.run())

const DTAB = '/srv=>/#/io.l5d.fs;/svc=>/srv;/svc/users=>9*/srv/users-v1 & 1*/srv/users-v2'

/** Asserts that `r` printed namerd's body for `query` (parsed equal, and the same text). */
async function sameAsNamerd(t: import('ava').ExecutionContext, r: Run, query: string) {
  const namerd = await api.raw(query)
  t.is(namerd.status, 200, namerd.body)
  t.is(r.status, 0, show(r))
  t.deepEqual(JSON.parse(r.stdout), JSON.parse(namerd.body), query)
  t.is(r.stdout.trimEnd(), namerd.body.trimEnd())
  t.true(r.stdout.endsWith('\n'))
}

test('delegate --json prints the body of /api/1/delegate; NAME defaults to default', async (t) => {
  await api.put('default', DTAB)
  const ns = uniqueName('delegate')
  await api.put(ns, '/svc=>/#/io.l5d.fs')
  await sameAsNamerd(
    t,
    await ctl('dtab', 'delegate', '/svc/web', '--json'),
    'delegate/default?path=/svc/web',
  )
  await sameAsNamerd(
    t,
    await ctl('dtab', 'delegate', ns, '/svc/users', '--json'),
    `delegate/${ns}?path=/svc/users`,
  )
  const d = '/svc/users=>/svc/web'
  await sameAsNamerd(
    t,
    await ctl('dtab', 'delegate', ns, '/svc/users', '--dtab', d, '--json'),
    `delegate/${ns}?path=/svc/users&dtab=${encodeURIComponent(d)}`,
  )
})

test('bind --json prints the body of /api/1/bind, with --dtab too', async (t) => {
  const ns = uniqueName('bind')
  await api.put(ns, DTAB)
  await sameAsNamerd(
    t,
    await ctl('dtab', 'bind', ns, '/svc/users/x', '--json'),
    `bind/${ns}?path=/svc/users/x`,
  )
  const d = '/svc/users=>/srv/web'
  await sameAsNamerd(
    t,
    await ctl('dtab', 'bind', ns, '/svc/users', '--dtab', d, '--json'),
    `bind/${ns}?path=/svc/users&dtab=${encodeURIComponent(d)}`,
  )
})

test('online delegate and bind render as the offline commands do for the same dtab', async (t) => {
  const ns = uniqueName('render')
  await api.put(ns, DTAB)
  const file = inputFile(t, 'dtab', DTAB)
  for (const cmd of ['delegate', 'bind']) {
    for (const path of ['/svc/users', '/svc/nope']) {
      const offline = await namerctl(['dtab', cmd, path, '--dtab-file', file, '--fs-root', n.disco])
      t.is(offline.status, 0, show(offline))
      printed(t, await ctl('dtab', cmd, ns, path), offline.stdout)
    }
  }
  const bind = await ctl('dtab', 'bind', ns, '/svc/users')
  t.regex(
    bind.stdout,
    /\[90% weight 9\.00\] bound \/#\/io\.l5d\.fs\/users-v1: 10\.0\.0\.1:80, 10\.0\.0\.3:80/,
  )
})

test('the offline --dtab-file mode still works, and its --json equals namerd online', async (t) => {
  const ns = uniqueName('offline')
  await api.put(ns, DTAB)
  const file = inputFile(t, 'dtab', DTAB)
  for (const cmd of ['delegate', 'bind']) {
    const offline = await namerctl([
      ...['dtab', cmd, '/svc/users/x', '--json'],
      ...['--dtab-file', file, '--fs-root', n.disco],
    ])
    await sameAsNamerd(t, offline, `${cmd}/${ns}?path=/svc/users/x`)
    const both = await namerctl(['dtab', cmd, ns, '/svc/users', '--dtab-file', file])
    t.is(both.status, 2, `--dtab-file takes PATH only: ${show(both)}`)
  }
})

test('delegate and bind online: a bad path exits 1; a failing bind (namerd 502) exits 9', async (t) => {
  const ns = uniqueName('bad-path')
  await api.put(ns, DTAB)
  for (const cmd of ['delegate', 'bind'])
    failsWith(t, await ctl('dtab', cmd, ns, '/a//b'), 1, /invalid path "\/a\/\/b"/)
  failsWith(t, await ctl('dtab', 'bind', ns, '/$/nope/x'), 9, /^unexpected response: 502\b/)
})
