import test from 'ava'
import { mkdirSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { join } from 'node:path'
import { eventually } from '../../testing/eventually.js'
import { openLines } from '../../testing/line-stream.js'
import { startNamerd, tempDir, validate } from '../../testing/namerd/process.js'

const memory = (namespaces: Record<string, string> = {}) => ({
  storage: { kind: 'io.l5d.inMemory', namespaces },
})

test('serves the API and admin, and exits 0 on SIGTERM with a watch stream open', async (t) => {
  const dir = tempDir(t)
  const n = await startNamerd(t, dir, memory({ default: '/svc => /$/inet/127.0.0.1/8080' }))
  t.is(await (await fetch(`${n.api}/api/1/dtabs`)).text(), '["default"]\n')
  const put = await fetch(`${n.api}/api/1/dtabs/canary`, {
    method: 'PUT',
    headers: { 'content-type': 'application/dtab' },
    body: '/svc/users => 9 * /srv/v1 & 1 * /srv/v2',
  })
  t.is(put.status, 204)
  const got = await fetch(`${n.api}/api/1/dtabs/canary`, {
    headers: { accept: 'application/dtab' },
  })
  t.is(
    await got.text(),
    '/svc/users=>9.00*/srv/v1 & /srv/v2\n',
    'weight 1 is not shown, as in Finagle',
  )
  t.is(await (await fetch(`${n.admin}/admin/ping`)).text(), 'pong')
  const metrics = await (await fetch(`${n.admin}/admin/metrics/prometheus`)).text()
  t.regex(metrics, /namerd_api_requests_total\{route="\/api\/1\/dtabs\/:ns",status="204"\} 1/)
  t.regex(metrics, /namerd_store_reachable 1/)
  t.regex(metrics, /process_cpu_user_seconds_total/)
  const watch = await openLines(`${n.api}/api/1/dtabs/canary?watch=1`)
  t.true((await watch.next(1))[0]?.includes('/srv/v2'))
  t.is(await n.stop(), 0)
  await watch.ended
  t.pass('the watch stream ended when namerd stopped')
})

test('POST /admin/shutdown stops namerd gracefully', async (t) => {
  const n = await startNamerd(t, tempDir(t), memory())
  const r = await fetch(`${n.admin}/admin/shutdown`, { method: 'POST' })
  t.is(r.status, 200)
  t.is(await n.exited, 0)
})

test("--validate (and linkerd's -validate) checks a file; errors name their location", async (t) => {
  const dir = tempDir(t)
  const good = join(dir, 'good.yaml')
  writeFileSync(
    good,
    'storage:\n  kind: io.l5d.inMemory\ninterfaces:\n- kind: io.l5d.httpController\n',
  )
  for (const flag of ['--validate', '-validate']) {
    const r = validate(good, flag)
    t.is(r.status, 0, r.out)
    t.regex(r.out, /valid \(storage io\.l5d\.inMemory\)/)
  }
  const bad = join(dir, 'bad.yaml')
  writeFileSync(
    bad,
    'storage:\n  kind: io.l5d.consul\ninterfaces:\n- kind: io.l5d.httpController\n',
  )
  const r = validate(bad)
  t.is(r.status, 1)
  t.regex(
    r.out,
    /storage\.kind: kind "io\.l5d\.consul" exists in linkerd but is not supported here/,
  )
  const typo = join(dir, 'typo.yaml')
  writeFileSync(
    typo,
    'storage:\n  kind: io.l5d.inMemory\ninterfaces:\n- kind: io.l5d.httpController\n  prot: 1\n',
  )
  t.regex(validate(typo).out, /interfaces\[0\]: unknown key\(s\): prot/)
  t.regex(validate(join(dir, 'missing.yaml')).out, /missing\.yaml/)
})

test('a port in use is a clear error and exit status 1', async (t) => {
  const blocker = createServer()
  await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r))
  t.teardown(() => blocker.close())
  const port = (blocker.address() as { port: number }).port
  const err = await t.throwsAsync(
    startNamerd(t, tempDir(t), {
      ...memory(),
      interfaces: [{ kind: 'io.l5d.httpController', port }],
    }),
  )
  t.regex(err.message, /exited with 1/)
  t.regex(err.message, /EADDRINUSE|in use/)
})

test('restarted on the file store (after SIGTERM and after SIGKILL), nothing is lost', async (t) => {
  const dir = tempDir(t)
  const config = () => ({ storage: { kind: 'io.l5d.file', path: join(dir, 'dtabs.json') } })
  const put = (api: string, ns: string, body: string, ifMatch?: string) =>
    fetch(`${api}/api/1/dtabs/${ns}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/dtab', ...(ifMatch ? { 'if-match': ifMatch } : {}) },
      body,
    })
  const first = await startNamerd(t, dir, config())
  t.is((await put(first.api, 'default', '/svc=>/srv/v1')).status, 204)
  t.is((await put(first.api, 'other', '/a=>/b')).status, 204)
  const etag = (await fetch(`${first.api}/api/1/dtabs/default`)).headers.get('etag') ?? ''
  t.is(await first.stop(), 0)
  const second = await startNamerd(t, dir, config())
  t.is(await (await fetch(`${second.api}/api/1/dtabs`)).text(), '["default","other"]\n')
  const read = await fetch(`${second.api}/api/1/dtabs/default`, {
    headers: { accept: 'application/dtab' },
  })
  t.is(read.headers.get('etag'), etag, 'same version after a restart')
  t.is(await read.text(), '/svc=>/srv/v1\n')
  t.is((await put(second.api, 'default', '/svc=>/srv/v2', etag)).status, 204)
  await second.kill()
  const third = await startNamerd(t, dir, config())
  const after = await fetch(`${third.api}/api/1/dtabs/default`, {
    headers: { accept: 'application/dtab' },
  })
  t.is(await after.text(), '/svc=>/srv/v2\n', 'an acknowledged write survives a crash')
  t.not(after.headers.get('etag'), etag)
  await third.stop()
})

test('binds through the configured io.l5d.fs and io.l5d.rewrite namers and follows the disco files', async (t) => {
  const dir = tempDir(t)
  const disco = join(dir, 'disco')
  mkdirSync(disco)
  writeFileSync(join(disco, 'users'), '127.0.0.1 9001\n')
  const n = await startNamerd(t, dir, {
    ...memory({ default: '/svc => /#/io.l5d.fs; /rw => /#/ports' }),
    namers: [
      { kind: 'io.l5d.fs', rootDir: disco },
      {
        kind: 'io.l5d.rewrite',
        prefix: '/ports',
        pattern: '/{port}',
        name: '/$/inet/127.0.0.1/{port}',
      },
    ],
  })
  const bind = await (await fetch(`${n.api}/api/1/bind/default?path=/svc/users`)).json()
  t.like(bind, {
    type: 'leaf',
    bound: { id: '/#/io.l5d.fs/users', addr: { addrs: [{ port: 9001 }] } },
  })
  const rw = await (await fetch(`${n.api}/api/1/resolve/default?path=/rw/7000`)).json()
  t.like(rw, { type: 'bound', addrs: [{ ip: '127.0.0.1', port: 7000 }] })
  const addr = await openLines(`${n.api}/api/1/addr/default?path=/%23/io.l5d.fs/users&watch=1`)
  t.regex((await addr.next(1))[0] ?? '', /9001/)
  writeFileSync(join(disco, 'users'), '127.0.0.1 9002\n')
  await eventually('the new address', () => addr.lines.some((l) => l.includes('9002')))
  await addr.close()
  await n.stop()
})
