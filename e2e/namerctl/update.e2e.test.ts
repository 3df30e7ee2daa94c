/**
 * namerctl update against a real namerd on the io.l5d.file store: safe by default (If-Match with
 * the version read), the version conflict (exit 7), a JSON file's version, --version, --force,
 * --dry-run, local syntax errors.
 */
import test from 'ava'
import { conflict, json } from '../../testing/namerctl/expect.js'
import { failsWith, inputFile, namerctl, printed, show } from '../../testing/namerctl/harness.js'
import {
  type SharedNamerd,
  cleanupsOf,
  shareFileNamerd,
  uniqueName,
} from '../../testing/namerctl/setup.js'
import { NamerdApi } from '../../testing/namerctl/namerd-api.js'
import { recordingProxy, writes } from '../../testing/namerctl/servers.js'

let api: NamerdApi
let ctl: SharedNamerd['ctl']
shareFileNamerd(test, (n) => ({ api, ctl } = n))

test('update (up) is safe by default: it reads the version and writes with If-Match', async (t) => {
  const proxy = await recordingProxy(cleanupsOf(t), api.base)
  const ns = uniqueName('update')
  const before = await api.put(ns, '/a=>/1')
  const r = await namerctl([
    ...['dtab', 'update', ns, inputFile(t, 'd', '/a => /2; /b => /3')],
    ...['--base-url', proxy.base],
  ])
  printed(t, r, `Updated ${ns}\n`)
  const after = await api.must(ns)
  t.deepEqual(after.dtab, json('/a=>/2;/b=>/3'))
  t.not(after.version, before.version)
  const put = proxy.log.find((e) => e.request === `PUT /api/1/dtabs/${ns}`)
  t.is(put?.ifMatch, before.version, 'If-Match: the version read')
  t.true(proxy.log[0]?.request.startsWith(`GET /api/1/dtabs/${ns}`))
  printed(t, await ctl('dtab', 'up', ns, inputFile(t, 'e', '/c=>/4')), `Updated ${ns}\n`)
  t.deepEqual((await api.must(ns)).dtab, json('/c=>/4'))
})

test('update after someone else changed the dtab exits 7 with the re-read advice', async (t) => {
  const ns = uniqueName('stale')
  const v1 = await api.put(ns, '/a=>/1')
  const got = await ctl('dtab', 'get', ns, '--json')
  const edited = JSON.stringify({ ...JSON.parse(got.stdout), dtab: json('/a=>/mine') })
  const file = inputFile(t, 'mine.json', edited)
  const v2 = await api.put(ns, '/a=>/theirs')
  const text = inputFile(t, 'mine.dtab', '/a=>/mine')
  failsWith(t, await ctl('dtab', 'update', ns, file), 7, conflict(ns, v1.version))
  const r = await ctl('dtab', 'update', ns, text, '--version', v1.version)
  failsWith(t, r, 7, conflict(ns, v1.version))
  t.deepEqual(await api.get(ns), v2, 'their change is kept')
  printed(t, await ctl('dtab', 'update', ns, text, '--version', v2.version), `Updated ${ns}\n`)
})

test("a JSON file's version wins over --version; an empty one falls back to reading", async (t) => {
  const ns = uniqueName('json-version')
  const v1 = await api.put(ns, '/a=>/1')
  const doc = (version: string, dst: string) =>
    inputFile(t, `${dst}.json`, JSON.stringify({ version, dtab: [{ prefix: '/a', dst }] }))
  const ok = await ctl('dtab', 'update', ns, doc(v1.version, '/2'), '--version', 'bogus')
  printed(t, ok, `Updated ${ns}\n`)
  const v2 = await api.must(ns)
  const stale = await ctl('dtab', 'update', ns, doc(v1.version, '/3'), '--version', v2.version)
  failsWith(t, stale, 7, conflict(ns, v1.version))
  printed(t, await ctl('dtab', 'update', ns, doc('', '/4')), `Updated ${ns}\n`)
  t.deepEqual((await api.must(ns)).dtab, [{ prefix: '/a', dst: '/4' }])
})

test('update --force overwrites whatever the version, and creates a missing dtab', async (t) => {
  const ns = uniqueName('force')
  const v1 = await api.put(ns, '/a=>/1')
  const stale = inputFile(
    t,
    's.json',
    JSON.stringify({ version: v1.version, dtab: json('/a=>/f') }),
  )
  await api.put(ns, '/a=>/2')
  printed(t, await ctl('dtab', 'update', ns, stale, '--force'), `Updated ${ns}\n`)
  t.deepEqual((await api.must(ns)).dtab, json('/a=>/f'))
  const fresh = uniqueName('force-new')
  printed(
    t,
    await ctl('dtab', 'update', fresh, inputFile(t, 'n', '/n=>/m'), '--force'),
    `Updated ${fresh}\n`,
  )
  t.deepEqual((await api.must(fresh)).dtab, json('/n=>/m'))
})

test('update of a missing dtab exits 4 (safe default, and with --version)', async (t) => {
  const ns = uniqueName('update-missing')
  const file = inputFile(t, 'd', '/a=>/b')
  failsWith(t, await ctl('dtab', 'update', ns, file), 4, `dtab ${ns} not found`)
  failsWith(
    t,
    await ctl('dtab', 'update', ns, file, '--version', 'AAAA'),
    4,
    `dtab ${ns} not found`,
  )
  t.is(await api.get(ns), undefined)
})

test('update --dry-run prints the diff, then the live names it moves, and changes nothing', async (t) => {
  const proxy = await recordingProxy(cleanupsOf(t), api.base)
  const ns = uniqueName('dry-run')
  const before = await api.put(ns, '/a=>/1;/b=>/2')
  const file = inputFile(t, 'd', '/a=>/1;/c=>/3')
  const dry = await namerctl(['dtab', 'update', ns, file, '--dry-run', '--base-url', proxy.base])
  const diff = await ctl('dtab', 'diff', ns, file)
  t.is(diff.status, 0, show(diff))
  // No router has bound a name in this namespace: nothing live to move.
  printed(t, dry, `${diff.stdout}\n0 live names, 0 untouched\n`)
  t.deepEqual(writes(proxy), [`POST /api/1/dtabs/${ns}/dry-run`], 'only the dry run')
  t.deepEqual(await api.get(ns), before)
  const asJson = await ctl('dtab', 'update', ns, file, '--dry-run', '--json')
  const diffJson = JSON.parse((await ctl('dtab', 'diff', ns, file, '--json')).stdout) as object
  t.deepEqual(JSON.parse(asJson.stdout), {
    ...diffJson,
    live: { version: before.version, live: 0, untouched: 0, names: [] },
  })
})

test('update: a syntax error exits 1 pointing at the character; the dtab is unchanged', async (t) => {
  const proxy = await recordingProxy(cleanupsOf(t), api.base)
  const ns = uniqueName('update-bad')
  const before = await api.put(ns, '/a=>/1')
  const r = await namerctl(['dtab', 'update', ns, '-', '--base-url', proxy.base], {
    input: '/a => /2 | & /3\n',
  })
  t.is(r.status, 1, show(r))
  t.regex(r.stderr, /^namerctl: <stdin>:1:12: invalid dtab: /)
  t.true(r.stderr.endsWith(`\n  /a => /2 | & /3\n  ${' '.repeat(11)}^\n`), show(r))
  t.deepEqual(writes(proxy), [])
  t.deepEqual(await api.get(ns), before)
})

test("get's pretty output, fed back to update, is the same dtab", async (t) => {
  const ns = uniqueName('roundtrip')
  const s = await api.put(ns, '/svc=>/srv;/svc/users=>9*/srv/v1 & 1*/srv/v2;/x/*=>/a|/b')
  const got = await ctl('dtab', 'get', ns)
  printed(t, await ctl('dtab', 'update', ns, inputFile(t, 'g', got.stdout)), `Updated ${ns}\n`)
  t.deepEqual((await api.must(ns)).dtab, s.dtab)
})
