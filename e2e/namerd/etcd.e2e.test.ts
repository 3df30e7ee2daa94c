/**
 * namerd on a real etcd, end to end over HTTP: etcd killed and restarted under reads, writes and
 * watches; namerd itself restarted; a second replica on the same etcd.
 */
import test from 'ava'
import { startEtcd, type EtcdServer } from '../../testing/servers/etcd-server.js'
import { eventually } from '../../testing/eventually.js'
import { openLines } from '../../testing/line-stream.js'
import { startNamerd, tempDir } from '../../testing/namerd/process.js'

let etcd: EtcdServer
test.before(async () => {
  etcd = await startEtcd()
})
test.after.always(async () => {
  await etcd?.cleanup()
})

const storage = (prefix: string) => ({
  storage: { kind: 'io.l5d.etcd', endpoints: [etcd.endpoint], pathPrefix: prefix },
})

function put(api: string, ns: string, body: string): Promise<Response> {
  return fetch(`${api}/api/1/dtabs/${ns}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/dtab' },
    body,
    signal: AbortSignal.timeout(15_000),
  })
}

async function text(api: string, ns: string): Promise<string> {
  const r = await fetch(`${api}/api/1/dtabs/${ns}`, { headers: { accept: 'application/dtab' } })
  return `${r.status} ${await r.text()}`
}

test.serial(
  'etcd killed and restarted: reads answer, writes 503, watchers see no bogus value, all catch up',
  async (t) => {
    const dir = tempDir(t)
    const a = await startNamerd(t, dir, storage('/e2e/outage'))
    const b = await startNamerd(t, dir, storage('/e2e/outage'))
    t.is((await put(a.api, 'default', '/svc=>/srv/1')).status, 204)
    const w = await openLines(`${b.api}/api/1/dtabs/default?watch=1`, {
      accept: 'application/dtab',
    })
    await eventually('replica b sees /srv/1', () => w.lines.includes('/svc=>/srv/1'))
    await etcd.kill()
    t.is(await text(a.api, 'default'), '200 /svc=>/srv/1\n', 'reads keep answering')
    t.is(await text(b.api, 'default'), '200 /svc=>/srv/1\n')
    const failed = await put(a.api, 'default', '/svc=>/srv/lost')
    t.is(failed.status, 503)
    t.regex(await failed.text(), /dtab store io\.l5d\.etcd is unreachable/)
    await etcd.start()
    await eventually(
      'writes work again',
      async () => (await put(a.api, 'default', '/svc=>/srv/2')).status === 204,
      20_000,
    )
    await eventually('replica b catches up', () => w.lines.includes('/svc=>/srv/2'), 20_000)
    t.is(await text(b.api, 'default'), '200 /svc=>/srv/2\n')
    await w.close()
    t.deepEqual(
      w.lines.filter((l) => l !== '' && !['/svc=>/srv/1', '/svc=>/srv/2'].includes(l)),
      [],
      'the watcher saw only real values',
    )
    t.true(w.lines.indexOf('/svc=>/srv/1') < w.lines.indexOf('/svc=>/srv/2'))
  },
)

test.serial('namerd restarted on etcd: nothing lost, versions kept', async (t) => {
  const dir = tempDir(t)
  const first = await startNamerd(t, dir, storage('/e2e/restart'))
  t.is((await put(first.api, 'default', '/svc=>/srv/v1')).status, 204)
  t.is((await put(first.api, 'other', '/a=>/b')).status, 204)
  const etag = (await fetch(`${first.api}/api/1/dtabs/default`)).headers.get('etag')
  await first.kill()
  const second = await startNamerd(t, dir, storage('/e2e/restart'))
  t.is(await (await fetch(`${second.api}/api/1/dtabs`)).text(), '["default","other"]\n')
  const r = await fetch(`${second.api}/api/1/dtabs/default`)
  t.is(r.headers.get('etag'), etag)
  t.is(await text(second.api, 'default'), '200 /svc=>/srv/v1\n')
  await second.stop()
})
