/**
 * namerctl dtab watch against a real namerd on the io.l5d.file store (heartbeats every 100 ms):
 * each version printed as `get` prints it, --json lines, SIGINT/SIGTERM, and reconnection when
 * namerd goes away and comes back.
 */
import test from 'ava'
import { startNamerd } from '../../testing/namerd/process.js'
import { getJson, pretty } from '../../testing/namerctl/expect.js'
import { Cleanups, cleanupsOf, startFileNamerd, uniqueName } from '../../testing/namerctl/setup.js'
import { NamerdApi, type Stored } from '../../testing/namerctl/namerd-api.js'
import { fakeNamerd } from '../../testing/namerctl/servers.js'
import { failsWith, namerctl } from '../../testing/namerctl/harness.js'
import { blocks, startWatch, type Watcher } from '../../testing/namerctl/watcher.js'

const cleanups = new Cleanups()
let api: NamerdApi
test.before(async () => {
  api = new NamerdApi((await startFileNamerd(cleanups)).namerd.api)
})
test.after.always(() => cleanups.run())

function watch(t: import('ava').ExecutionContext, base: string, ...args: string[]): Watcher {
  const w = startWatch(['dtab', 'watch', ...args, '--base-url', base])
  t.teardown(() => w.close())
  return w
}

/** The stdout of a pretty watch that printed `docs`: separated by a blank line. */
function printedDocs(stdout: string, docs: readonly string[]): boolean {
  const joined = docs.join('\n')
  return stdout === joined || stdout === `${joined}\n`
}

test('watch prints the dtab, then each new version as get prints it; SIGINT exits 0', async (t) => {
  const ns = uniqueName('watch')
  const seen: Stored[] = [await api.put(ns, '/svc=>/srv')]
  const w = watch(t, api.base, ns)
  await w.until('the first version', (out) => blocks(out).length >= 1)
  for (const next of ['/svc=>/srv;/svc/users=>/srv/v1', '/svc/users=>9*/srv/v1 & 1*/srv/v2']) {
    seen.push(await api.put(ns, next))
    await w.until(`version ${seen.length}`, (out) => blocks(out).length >= seen.length)
  }
  const r = await w.signal('SIGINT')
  t.is(r.status, 0, r.stderr)
  t.deepEqual(blocks(r.stdout), seen.map(pretty))
  t.true(printedDocs(r.stdout, seen.map(pretty)), r.stdout)
  t.is(r.stderr, '')
})

test('watch --json prints each document line as namerd streams it; SIGTERM exits 0', async (t) => {
  const ns = uniqueName('watch-json')
  const seen: Stored[] = [await api.put(ns, '/a=>/1')]
  const w = watch(t, api.base, ns, '--json')
  const docs = (out: string) => out.split('\n').filter((l) => l !== '')
  await w.until('the first version', (out) => docs(out).length >= 1)
  seen.push(await api.put(ns, '/a=>/2;/b=>/3'))
  await w.until('the second version', (out) => docs(out).length >= 2)
  const r = await w.signal('SIGTERM')
  t.is(r.status, 0, r.stderr)
  t.deepEqual(
    docs(r.stdout).map((l) => JSON.parse(l) as unknown),
    seen.map((s) => JSON.parse(getJson(s)) as unknown),
  )
  t.is(r.stderr, '')
})

test('watch reconnects when namerd goes away and prints the versions made meanwhile', async (t) => {
  const c = cleanupsOf(t)
  const first = await startFileNamerd(c)
  const own = new NamerdApi(first.namerd.api)
  const ns = uniqueName('reconnect')
  const v1 = await own.put(ns, '/a=>/1')
  const w = watch(t, own.base, ns)
  await w.until('the first version', (out) => blocks(out).length >= 1)
  t.is(await first.namerd.stop(), 0)
  await w.until('the interruption', (_, err) => /; reconnecting\n/.test(err))
  const again = await startNamerd(c.context, first.dir, first.config)
  t.is(again.api, own.base, 'the same address')
  const v2 = await own.put(ns, '/a=>/2')
  await w.until('the new version', (out) => blocks(out).at(-1) === pretty(v2))
  const r = await w.signal('SIGINT')
  t.is(r.status, 0)
  t.deepEqual(blocks(r.stdout)[0], pretty(v1))
  for (const b of blocks(r.stdout)) t.true([pretty(v1), pretty(v2)].includes(b), r.stdout)
  for (const line of r.stderr.split('\n').slice(0, -1))
    t.regex(line, /^namerctl: watch interrupted \(.+\); reconnecting$/)
})

test('watch prints error lines on stderr, skips heartbeats, and reconnects when the stream ends', async (t) => {
  const doc = (version: string, dst: string): Stored => ({
    version,
    dtab: [{ prefix: '/a', dst }],
  })
  const [v1, v2, v3] = [doc('djE=', '/1'), doc('djI=', '/2'), doc('djM=', '/3')]
  const line = (s: Stored) => getJson(s)
  const error = '{"error":{"code":"ERR_STORED_DTAB_INVALID","message":"boom"}}\n'
  const fake = await fakeNamerd(cleanupsOf(t), (_, seen) => ({
    status: 200,
    headers: { 'content-type': 'application/vnd.namerd.versioned+json' },
    body: seen === 0 ? `${line(v1)}\n\n${error}${line(v2)}` : `\n${line(v2)}${line(v3)}`,
    open: seen > 0,
  }))
  const w = watch(t, fake.base, 'x')
  await w.until('the third version', (out) => blocks(out).at(-1) === pretty(v3))
  const r = await w.signal('SIGINT')
  t.is(r.status, 0)
  const distinct = blocks(r.stdout).filter((b, i, all) => b !== all[i - 1])
  t.deepEqual(distinct, [v1, v2, v3].map(pretty))
  const errors = r.stderr.split('\n').slice(0, -1)
  t.true(
    errors.some((l) => /^namerctl: .*boom/.test(l)),
    r.stderr,
  )
  t.true(
    errors.some((l) => /^namerctl: watch interrupted \(.+\); reconnecting$/.test(l)),
    r.stderr,
  )
  t.true(fake.log.length >= 2, 'reconnected')
  t.true(
    fake.log.every(
      (e) =>
        e.request === 'GET /api/1/dtabs/x?watch=true' &&
        e.accept === 'application/vnd.namerd.versioned+json',
    ),
    JSON.stringify(fake.log),
  )
})

test('a first connection that fails is an error with the status of any request: 3, 4, 5, 8', async (t) => {
  const answers: Record<string, { status: number; body: string } | 'hang'> = {
    '/api/1/dtabs/gone?watch=true': { status: 404, body: '' },
    '/api/1/dtabs/bad?watch=true': { status: 400, body: 'invalid namespace "bad"\n' },
    '/api/1/dtabs/down?watch=true': { status: 503, body: 'dtab store is unreachable\n' },
    '/api/1/dtabs/silent?watch=true': 'hang',
  }
  const fake = await fakeNamerd(cleanupsOf(t), (req) => answers[req.url ?? ''] ?? 'hang')
  const run = (ns: string) =>
    namerctl(['dtab', 'watch', ns, '--timeout-ms', '300', '--base-url', fake.base])
  failsWith(t, await run('gone'), 4, 'dtab gone not found')
  failsWith(t, await run('bad'), 5, 'invalid namespace "bad"')
  failsWith(t, await run('down'), 8, 'dtab store is unreachable')
  failsWith(t, await run('silent'), 3, `namerd at ${fake.base} did not answer within 300 ms`)
})

test('once connected, a 503 is retried but a 404 ends the watch: exit 4', async (t) => {
  const doc: Stored = { version: 'djE=', dtab: [{ prefix: '/a', dst: '/1' }] }
  const fake = await fakeNamerd(cleanupsOf(t), (_, seen) =>
    seen === 0
      ? { status: 200, body: getJson(doc) }
      : seen === 1
        ? { status: 503, body: 'dtab store is unreachable\n' }
        : { status: 404, body: '' },
  )
  const r = await namerctl(['dtab', 'watch', 'x', '--base-url', fake.base])
  t.is(r.status, 4, r.stderr)
  t.deepEqual(blocks(r.stdout), [pretty(doc)])
  t.deepEqual(r.stderr.split('\n').slice(0, -1), [
    'namerctl: watch interrupted (the stream ended); reconnecting',
    'namerctl: watch interrupted (namerd answered 503 Service Unavailable: dtab store is unreachable); reconnecting',
    'namerctl: dtab x not found',
  ])
  t.is(fake.log.length, 3)
})
