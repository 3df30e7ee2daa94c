import test from 'ava'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { connect } from 'node:net'
import { FsNamer } from '../../namers/fs/namer.js'
import { readDtab } from '../../dtabs/index.js'
import { NamerdMetrics } from '../metrics.js'
import { startApi, type ApiServer } from './server.js'
import { memoryContext } from '../../testing/namerd/memory-context.js'
import { eventually } from '../../testing/eventually.js'
import type { ApiContext } from './context.js'
import { openLines as openStream } from '../../testing/line-stream.js'

async function serve(cx: ApiContext): Promise<{ api: ApiServer; base: string }> {
  const api = await startApi(cx, { ip: '127.0.0.1', port: 0 })
  return { api, base: `http://127.0.0.1:${api.port}` }
}

test('dtab watch: the current dtab first, then each new version, no repeat, nothing on delete', async (t) => {
  const cx = memoryContext({ default: '/a=>/b' })
  const { api, base } = await serve(cx)
  const s = await openStream(`${base}/api/1/dtabs/default?watch=true`, {
    accept: 'application/dtab',
  })
  t.is(s.res.status, 200)
  t.is(s.res.headers.get('transfer-encoding'), 'chunked')
  t.deepEqual(await s.next(1), ['/a=>/b'])
  await cx.store.put('default', readDtab('/a=>/c'))
  await cx.store.put('default', readDtab('/a=>/c'))
  await cx.store.put('default', readDtab('/a=>/d'))
  t.deepEqual(await s.next(3), ['/a=>/b', '/a=>/c', '/a=>/d'])
  await cx.store.delete('default')
  await cx.store.create('default', readDtab('/a=>/e'))
  t.deepEqual(await s.next(4), ['/a=>/b', '/a=>/c', '/a=>/d', '/a=>/e'])
  await s.close()
  await api.close()
})

test('a versioned dtab watch carries each version with its dtab (namerctl watch); GET gives the ETag', async (t) => {
  const cx = memoryContext({ default: '/a=>/b' })
  const { api, base } = await serve(cx)
  const accept = 'application/vnd.namerd.versioned+json'
  const got = await fetch(`${base}/api/1/dtabs/default`, { headers: { accept } })
  const doc = (await got.json()) as { version: string; dtab: unknown }
  t.is(got.headers.get('etag'), doc.version)
  t.deepEqual(doc.dtab, [{ prefix: '/a', dst: '/b' }])
  const s = await openStream(`${base}/api/1/dtabs/default?watch=true`, { accept })
  t.deepEqual(JSON.parse((await s.next(1))[0] ?? 'null'), doc)
  await cx.store.put('default', readDtab('/a=>/c'))
  const [, next] = await s.next(2)
  const later = JSON.parse(next ?? 'null') as { version: string; dtab: unknown }
  t.deepEqual(later.dtab, [{ prefix: '/a', dst: '/c' }])
  t.not(later.version, doc.version)
  t.is((await fetch(`${base}/api/1/dtabs/default`)).headers.get('etag'), later.version)
  await s.close()
  await api.close()
})

test('list watch and bind watch follow changes; a failing bind is a JSON error line, then recovers', async (t) => {
  const cx = memoryContext({ default: '/svc=>/$/inet/127.0.0.1/1' })
  const { api, base } = await serve(cx)
  const list = await openStream(`${base}/api/1/dtabs?watch=1`)
  const bind = await openStream(`${base}/api/1/bind/default?path=/svc/x&watch=t`)
  t.deepEqual(await list.next(1), ['["default"]'])
  const first = JSON.parse((await bind.next(1))[0] ?? 'null')
  t.is(first.bound.id, '/$/inet/127.0.0.1/1')
  await cx.store.create('other', readDtab('/a=>/b'))
  t.deepEqual(await list.next(2), ['["default"]', '["default","other"]'])
  await cx.store.put('default', readDtab('/svc=>/loop;/loop=>/svc'))
  const [, err] = await bind.next(2)
  t.like(JSON.parse(err ?? 'null'), { error: { code: 'ERR_MAX_DEPTH' } })
  await cx.store.put('default', readDtab('/svc=>/$/inet/127.0.0.1/2'))
  const [, , fixed] = await bind.next(3)
  t.is(JSON.parse(fixed ?? 'null').bound.id, '/$/inet/127.0.0.1/2')
  await list.close()
  await bind.close()
  await api.close()
})

test('addr watch follows an fs namer file; heartbeat lines keep idle streams alive; metrics count streams', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'namerd-addr-'))
  writeFileSync(join(dir, 'users'), '127.0.0.1 9001\n')
  const fs = new FsNamer({ rootDir: dir, prefix: ['#', 'io.l5d.fs'], pollMs: 50 })
  const metrics = new NamerdMetrics(() => true, { defaultMetrics: false })
  const cx = {
    ...memoryContext({}, undefined, [{ prefix: ['#', 'io.l5d.fs'], namer: fs }]),
    watch: { heartbeatMs: 100, metrics },
  }
  const { api, base } = await serve(cx)
  const s = await openStream(
    `${base}/api/1/addr/default?path=/%25/io.l5d.port/4141/%23/io.l5d.fs/users&watch=1`,
  )
  const [first] = await s.next(1)
  t.deepEqual(JSON.parse(first ?? 'null').addrs, [{ ip: '127.0.0.1', port: 9001, meta: {} }])
  t.regex(await metrics.registry.metrics(), /namerd_watch_streams_open\{route="addr"\} 1/)
  writeFileSync(join(dir, 'users'), '127.0.0.1 9002\n')
  let docs: string[] = []
  const deadline = Date.now() + 5000
  while (Date.now() < deadline && !docs.some((l) => l.includes('9002'))) {
    docs = s.lines.filter((l) => l !== '')
    await new Promise((r) => setTimeout(r, 20))
  }
  t.true(docs.some((l) => l.includes('9002')))
  await eventually('a heartbeat line', () => s.lines.includes(''))
  t.true(s.lines.includes(''), 'a heartbeat line arrived')
  await s.close()
  const closed = Date.now() + 5000
  while (
    Date.now() < closed &&
    !/namerd_watch_streams_open\{route="addr"\} 0/.test(await metrics.registry.metrics())
  )
    await new Promise((r) => setTimeout(r, 20))
  t.regex(await metrics.registry.metrics(), /namerd_watch_streams_open\{route="addr"\} 0/)
  await api.close()
  fs.close()
  rmSync(dir, { recursive: true, force: true })
})

test('resolve and bound-names watches follow dtab changes', async (t) => {
  const cx = memoryContext({ default: '/svc=>/$/inet/127.0.0.1/1' })
  const { api, base } = await serve(cx)
  const names = await openStream(`${base}/api/1/bound-names?watch=1`)
  t.deepEqual(await names.next(1), ['[]'])
  const resolve = await openStream(`${base}/api/1/resolve/default?path=/svc/x&watch=1`)
  t.like(JSON.parse((await resolve.next(1))[0] ?? 'null'), { addrs: [{ port: 1 }] })
  await cx.store.put('default', readDtab('/svc=>/$/inet/127.0.0.1/2'))
  t.like(JSON.parse((await resolve.next(2))[1] ?? 'null'), { addrs: [{ port: 2 }] })
  t.deepEqual(await names.next(3), [
    '[]',
    '["/$/inet/127.0.0.1/1"]',
    '["/$/inet/127.0.0.1/1","/$/inet/127.0.0.1/2"]',
  ])
  await names.close()
  await resolve.close()
  await api.close()
})

/** A dtab of about `kb` KiB ending `/end=>/v<version>`. */
function sizedDtab(kb: number, version: number): string {
  const dentries = Array.from({ length: kb * 10 }, (_, i) => `/s/${i}=>/${'x'.repeat(90)}`)
  return [...dentries, `/end=>/v${version}`].join(';')
}

test('a stream that stops reading is closed once its backlog passes maxBacklogBytes; the others get every version', async (t) => {
  const metrics = new NamerdMetrics(() => true, { defaultMetrics: false })
  const cx = {
    ...memoryContext({ big: sizedDtab(100, 0) }),
    watch: { heartbeatMs: 0, maxBacklogBytes: 256 * 1024, metrics },
  }
  const { api, base } = await serve(cx)
  const stalled = connect({ port: api.port, host: '127.0.0.1' })
  stalled.on('error', () => {})
  await new Promise((r) => stalled.once('connect', r))
  stalled.write('GET /api/1/dtabs/big?watch=1 HTTP/1.1\r\nHost: namerd\r\n\r\n')
  stalled.pause()
  const reader = await openStream(`${base}/api/1/dtabs/big?watch=1`, {
    accept: 'application/dtab',
  })
  const dropped = async () =>
    /namerd_watch_streams_dropped_total\{route="dtab"\} 1/.test(await metrics.registry.metrics())
  let version = 0
  while (!(await dropped()) && version < 100) {
    version += 1
    await cx.store.put('big', readDtab(sizedDtab(100, version)))
    await eventually(`version ${version}`, () =>
      Boolean(reader.lines.at(-1)?.endsWith(`/v${version}`)),
    )
  }
  t.true(await dropped(), `dropped after ${version} versions`)
  t.true(version > 2, 'not before its backlog passed the bound')
  await eventually('the stalled stream closed', async () =>
    /namerd_watch_streams_open\{route="dtab"\} 1\n/.test(await metrics.registry.metrics()),
  )
  t.regex(await metrics.registry.metrics(), /namerd_watch_streams_open\{route="dtab"\} 1\n/)
  t.is(reader.lines.length, version + 1, 'the reading stream got every version')
  stalled.destroy()
  await reader.close()
  await api.close()
})
