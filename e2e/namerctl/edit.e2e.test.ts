/**
 * namerctl diff, set and rm-entry against a real namerd on the io.l5d.file store.
 */
import test from 'ava'
import { diffLines, json, setMessage } from '../../testing/namerctl/expect.js'
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

test('diff prints each dentry removed, added or kept, in order, in canonical form', async (t) => {
  const ns = uniqueName('diff')
  await api.put(ns, '/a=>/1;/b=>/2;/c=>/3;/svc/users=>9*/v1 & 1*/v2')
  const file = inputFile(t, 'd', '/a => /1;\n/c=>/3; /d => /4|/5;/svc/users => 9 * /v1 & /v2')
  const expected = diffLines([
    [' ', '/a => /1'],
    ['-', '/b => /2'],
    [' ', '/c => /3'],
    ['+', '/d => /4 | /5'],
    [' ', '/svc/users => 9.00*/v1 & /v2'],
  ])
  printed(t, await ctl('dtab', 'diff', ns, file), expected)
  const r = await ctl('dtab', 'diff', ns, file, '--exit-code')
  t.is(r.status, 1, show(r))
  t.is(r.stdout, expected)
})

test('diff of equal dtabs: only kept dentries, exit 0 even with --exit-code', async (t) => {
  const ns = uniqueName('diff-equal')
  await api.put(ns, '/a=>/1;/b=>/2')
  const file = inputFile(t, 'd', '/a => /1; /b => /2;')
  const expected = diffLines([
    [' ', '/a => /1'],
    [' ', '/b => /2'],
  ])
  printed(t, await ctl('dtab', 'diff', ns, file), expected)
  printed(t, await ctl('dtab', 'diff', ns, file, '--exit-code'), expected)
})

test('diff: order matters (a swap is one removal and one addition)', async (t) => {
  const ns = uniqueName('diff-swap')
  await api.put(ns, '/a=>/1;/b=>/2')
  const r = await ctl('dtab', 'diff', ns, inputFile(t, 'd', '/b=>/2;/a=>/1'))
  t.is(r.status, 0, show(r))
  const lines = r.stdout.split('\n').slice(0, -1)
  t.is(lines.length, 3, show(r))
  const kept = lines.filter((l) => l.startsWith('  '))
  const removed = lines.filter((l) => l.startsWith('- ')).map((l) => l.slice(2))
  const added = lines.filter((l) => l.startsWith('+ ')).map((l) => l.slice(2))
  t.is(kept.length, 1, show(r))
  t.deepEqual(removed, added, 'the same dentry moved')
})

test('diff --json gives the version compared against and each change', async (t) => {
  const ns = uniqueName('diff-json')
  const s = await api.put(ns, '/a=>/1;/b=>/2')
  const r = await ctl('dtab', 'diff', ns, inputFile(t, 'd', '/a=>/1;/c=>/3'), '--json')
  t.is(r.status, 0, show(r))
  t.true(r.stdout.endsWith('\n'))
  t.deepEqual(JSON.parse(r.stdout), {
    from: s.version,
    changes: [
      { op: ' ', dentry: '/a => /1' },
      { op: '-', dentry: '/b => /2' },
      { op: '+', dentry: '/c => /3' },
    ],
  })
})

test('diff: a missing dtab exits 4, a syntax error 1', async (t) => {
  const ns = uniqueName('diff-missing')
  failsWith(t, await ctl('dtab', 'diff', ns, inputFile(t, 'd', '/a=>/1')), 4, /not found/)
  await api.put(ns, '/a=>/1')
  const r = await ctl('dtab', 'diff', ns, inputFile(t, 'bad', '/a=>'))
  t.is(r.status, 1, show(r))
  t.regex(r.stderr, /^namerctl: .*invalid dtab/)
})

test('set replaces the dst of an existing prefix in place (the canary step)', async (t) => {
  const ns = uniqueName('set')
  await api.put(ns, '/srv=>/#/io.l5d.fs;/svc/users=>/srv/users-v1;/svc=>/srv')
  const dst = '90 * /srv/users-v1 & 10 * /srv/users-v2'
  const r = await ctl('dtab', 'set', ns, '/svc/users', dst)
  printed(t, r, setMessage(ns, '/svc/users', dst))
  t.is(r.stdout, `Updated ${ns}: /svc/users => 90.00*/srv/users-v1 & 10.00*/srv/users-v2\n`)
  t.deepEqual((await api.must(ns)).dtab, json(`/srv=>/#/io.l5d.fs;/svc/users=>${dst};/svc=>/srv`))
})

test('set replaces the last dentry of that prefix (canonical form: /\\x61 is /a) or appends one', async (t) => {
  const ns = uniqueName('set-dup')
  await api.put(ns, '/a=>/1;/b=>/2;/\\x61=>/3')
  printed(t, await ctl('dtab', 'set', ns, '/a', '/9'), setMessage(ns, '/a', '/9'))
  t.deepEqual((await api.must(ns)).dtab, json('/a=>/1;/b=>/2;/a=>/9'))
  printed(t, await ctl('dtab', 'set', ns, '/x/*/y', '/z | ~'), setMessage(ns, '/x/*/y', '/z|~'))
  t.deepEqual((await api.must(ns)).dtab, json('/a=>/1;/b=>/2;/a=>/9;/x/*/y=>/z|~'))
})

test('set on a missing dtab exits 4; with --create it creates it', async (t) => {
  const ns = uniqueName('set-missing')
  failsWith(t, await ctl('dtab', 'set', ns, '/a', '/b'), 4, /not found/)
  t.is(await api.get(ns), undefined)
  printed(t, await ctl('dtab', 'set', ns, '/a', '/b', '--create'), setMessage(ns, '/a', '/b'))
  t.deepEqual((await api.must(ns)).dtab, json('/a=>/b'))
  printed(t, await ctl('dtab', 'set', ns, '/c', '/d', '--create'), setMessage(ns, '/c', '/d'))
  t.deepEqual((await api.must(ns)).dtab, json('/a=>/b;/c=>/d'), '--create on an existing one')
})

test('set: a bad PREFIX or DST exits 1 pointing at the character; nothing is written', async (t) => {
  const proxy = await recordingProxy(cleanupsOf(t), api.base)
  const ns = uniqueName('set-bad')
  const before = await api.put(ns, '/a=>/1')
  for (const [prefix, dst] of [
    ['svc', '/b'],
    ['/a', '/b &'],
    ['/a', '9 * /b & x'],
  ] as const) {
    const r = await namerctl(['dtab', 'set', ns, prefix, dst, '--base-url', proxy.base])
    t.is(r.status, 1, show(r))
    t.is(r.stdout, '')
    t.regex(r.stderr, /^namerctl: /)
    t.true(r.stderr.includes('^'), `points at the character: ${show(r)}`)
    t.false(r.stderr.includes('    at '), 'no stack trace')
  }
  t.deepEqual(writes(proxy), [])
  t.deepEqual(await api.get(ns), before)
})

test('rm-entry removes every dentry with the prefix', async (t) => {
  const ns = uniqueName('rm-entry')
  await api.put(ns, '/a=>/1;/b=>/2;/a=>/3;/c/*=>/4')
  printed(t, await ctl('dtab', 'rm-entry', ns, '/a'), `Updated ${ns}: removed /a\n`)
  t.deepEqual((await api.must(ns)).dtab, json('/b=>/2;/c/*=>/4'))
  printed(t, await ctl('dtab', 'rm-entry', ns, '/c/*'), `Updated ${ns}: removed /c/*\n`)
  t.deepEqual((await api.must(ns)).dtab, json('/b=>/2'))
})

test('rm-entry of an absent prefix or dtab exits 4; the dtab is unchanged', async (t) => {
  const ns = uniqueName('rm-entry-none')
  const before = await api.put(ns, '/a=>/1')
  failsWith(
    t,
    await ctl('dtab', 'rm-entry', ns, '/zz'),
    4,
    `no dentry with prefix /zz in dtab ${ns}`,
  )
  t.deepEqual(await api.get(ns), before)
  failsWith(t, await ctl('dtab', 'rm-entry', uniqueName('absent'), '/a'), 4, /not found/)
})

test('create, update, set, rm-entry and delete --json print one JSON object naming the dtab', async (t) => {
  const ns = uniqueName('json-out')
  const file = inputFile(t, 'd', '/a=>/1')
  for (const args of [
    ['create', ns, file],
    ['update', ns, file],
    ['set', ns, '/b', '/2'],
    ['rm-entry', ns, '/b'],
    ['delete', ns],
  ]) {
    const r = await ctl('dtab', ...args, '--json')
    t.is(r.status, 0, show(r))
    t.regex(r.stdout, /^\{[^\n]*\}\n$/, show(r))
    t.true(r.stdout.includes(JSON.stringify(ns)), show(r))
  }
  t.is(await api.get(ns), undefined)
})
