/**
 * namerctl against a real namerd on the io.l5d.etcd store (a real etcd): list, get, create,
 * update, set, rm-entry, delete, watch, the version conflict and concurrent writers; and with
 * etcd stopped, a write is exit 8 (store unavailable) while reads still answer.
 */
import test from 'ava'
import { startNamerd } from '../../testing/namerd/process.js'
import { startEtcd, type EtcdServer } from '../../testing/servers/etcd-server.js'
import { conflict, getJson, json, pretty, setMessage } from '../../testing/namerctl/expect.js'
import {
  against,
  failsWith,
  inputFile,
  printed,
  scratchDir,
  show,
  type Run,
} from '../../testing/namerctl/harness.js'
import { Cleanups, cleanupsOf, uniqueName } from '../../testing/namerctl/setup.js'
import { NamerdApi } from '../../testing/namerctl/namerd-api.js'
import { racingSets, racingUpdates } from '../../testing/namerctl/race.js'
import { blocks, startWatch } from '../../testing/namerctl/watcher.js'

const cleanups = new Cleanups()
let etcd: EtcdServer
let api: NamerdApi
let ctl: (...args: string[]) => Promise<Run>

/** A namerd on `server` (its own key prefix), stopped by `c`. */
async function etcdNamerd(c: Cleanups, server: EtcdServer, prefix: string): Promise<NamerdApi> {
  const namerd = await startNamerd(c.context, scratchDir('etcd-namerd'), {
    storage: { kind: 'io.l5d.etcd', endpoints: [server.endpoint], pathPrefix: prefix },
    interfaces: [{ kind: 'io.l5d.httpController', heartbeatMs: 100 }],
  })
  return new NamerdApi(namerd.api)
}

test.before(async () => {
  etcd = await startEtcd()
  cleanups.add(() => etcd.cleanup())
  api = await etcdNamerd(cleanups, etcd, '/namerctl-e2e')
  ctl = against(api.base)
})
test.after.always(() => cleanups.run())

test('etcd: create, list, get (pretty and --json), update, delete', async (t) => {
  const ns = uniqueName('etcd')
  const text = '/svc=>/srv;/svc/users=>9*/srv/v1 & 1*/srv/v2'
  printed(t, await ctl('dtab', 'create', ns, inputFile(t, 'd', text)), `Created ${ns}\n`)
  const s = await api.must(ns)
  t.deepEqual(s.dtab, json(text))
  const list = await ctl('dtab', 'list')
  t.true(list.stdout.split('\n').includes(ns), show(list))
  printed(t, await ctl('dtab', 'get', ns), pretty(s))
  printed(t, await ctl('dtab', 'get', ns, '--json'), getJson(s))
  printed(t, await ctl('dtab', 'update', ns, inputFile(t, 'e', '/svc=>/srv2')), `Updated ${ns}\n`)
  const after = await api.must(ns)
  t.deepEqual(after.dtab, json('/svc=>/srv2'))
  t.not(after.version, s.version)
  failsWith(t, await ctl('dtab', 'create', ns, inputFile(t, 'f', '/a=>/b')), 6, /already exists/)
  printed(t, await ctl('dtab', 'delete', ns), `Deleted ${ns}\n`)
  t.is(await api.get(ns), undefined)
  failsWith(t, await ctl('dtab', 'get', ns), 4, /not found/)
})

test('etcd: an update with a stale version exits 7; set and rm-entry edit in place', async (t) => {
  const ns = uniqueName('etcd-edit')
  const v1 = await api.put(ns, '/a=>/1;/b=>/2')
  const v2 = await api.put(ns, '/a=>/1;/b=>/3')
  const stale = await ctl(
    'dtab',
    'update',
    ns,
    inputFile(t, 'd', '/a=>/x'),
    '--version',
    v1.version,
  )
  failsWith(t, stale, 7, conflict(ns, v1.version))
  t.deepEqual(await api.get(ns), v2)
  printed(t, await ctl('dtab', 'set', ns, '/a', '/9'), setMessage(ns, '/a', '/9'))
  printed(t, await ctl('dtab', 'set', ns, '/c', '/4'), setMessage(ns, '/c', '/4'))
  t.deepEqual((await api.must(ns)).dtab, json('/a=>/9;/b=>/3;/c=>/4'))
  printed(t, await ctl('dtab', 'rm-entry', ns, '/b'), `Updated ${ns}: removed /b\n`)
  t.deepEqual((await api.must(ns)).dtab, json('/a=>/9;/c=>/4'))
})

test('etcd: two concurrent updates reading the same version: one exits 0, the other 7', async (t) => {
  for (let round = 0; round < 3; round++) await racingUpdates(t, api)
})

test('etcd: concurrent sets on different prefixes all land', async (t) => {
  for (let round = 0; round < 2; round++) await racingSets(t, api, { count: 2, barrier: true })
})

test('etcd: watch prints each new version; SIGINT exits 0', async (t) => {
  const ns = uniqueName('etcd-watch')
  const seen = [await api.put(ns, '/a=>/1')]
  const w = startWatch(['dtab', 'watch', ns, '--base-url', api.base])
  t.teardown(() => w.close())
  await w.until('the first version', (out) => blocks(out).length >= 1)
  seen.push(await api.put(ns, '/a=>/2;/bb=>/3'))
  await w.until('the second version', (out) => blocks(out).length >= 2)
  const r = await w.signal('SIGINT')
  t.is(r.status, 0, r.stderr)
  t.deepEqual(blocks(r.stdout), seen.map(pretty))
})

test('etcd stopped: get still answers, update and set exit 8 (store unavailable)', async (t) => {
  const c = cleanupsOf(t)
  const own = await startEtcd()
  c.add(() => own.cleanup())
  const n = await etcdNamerd(c, own, '/outage')
  const run = against(n.base)
  const ns = uniqueName('etcd-down')
  const s = await n.put(ns, '/a=>/1')
  await own.kill()
  printed(t, await run('dtab', 'get', ns), pretty(s))
  const up = await run('dtab', 'update', ns, inputFile(t, 'd', '/a=>/2'))
  failsWith(t, up, 8, /dtab store io\.l5d\.etcd is unreachable/)
  failsWith(t, await run('dtab', 'set', ns, '/b', '/3'), 8, /unreachable/)
})
