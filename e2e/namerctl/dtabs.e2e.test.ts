/**
 * namerctl list, get, create and delete against a real namerd on the io.l5d.file store.
 */
import test from 'ava'
import { getJson, json, oneLine, pretty } from '../../testing/namerctl/expect.js'
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

test('list (ls) prints one name per line; --json prints the JSON array', async (t) => {
  const a = uniqueName('list')
  const b = uniqueName('list')
  await api.put(a, '/a=>/b')
  await api.put(b, '/c=>/d')
  for (const cmd of ['list', 'ls']) {
    const r = await ctl('dtab', cmd)
    t.is(r.status, 0, show(r))
    t.true(r.stdout.endsWith('\n'), show(r))
    const names = r.stdout.slice(0, -1).split('\n')
    t.true(names.includes(a) && names.includes(b), show(r))
    const now = await api.list()
    const common = names.filter((x) => now.includes(x))
    t.deepEqual(
      common,
      now.filter((x) => names.includes(x)),
      "namerd's names in namerd's order",
    )
  }
  const j = await ctl('dtab', 'list', '--json')
  t.is(j.status, 0, show(j))
  const parsed = JSON.parse(j.stdout) as string[]
  t.true(parsed.includes(a) && parsed.includes(b))
  t.is(j.stdout, `${JSON.stringify(parsed)}\n`)
})

test("get (cat) prints '# version' and linkerd's aligned form", async (t) => {
  const ns = uniqueName('get')
  const small = await api.put(ns, '/svc=>/srv;/svc/users=>/srv/u')
  printed(
    t,
    await ctl('dtab', 'get', ns),
    `# version ${small.version}\n/svc        => /srv ;\n/svc/users  => /srv/u ;\n`,
  )
  const s = await api.put(
    ns,
    '/svc => /srv; /svc/users => 9 * /srv/users-v1 & 1 * /srv/users-v2; /s/* => /a | /b',
  )
  for (const cmd of ['get', 'cat']) printed(t, await ctl('dtab', cmd, ns), pretty(s))
  printed(t, await ctl('dtab', 'get', ns, '--pretty'), pretty(s))
  printed(t, await ctl('dtab', 'get', ns, '--pretty=true'), pretty(s))
})

test('get --pretty=false and --no-pretty print one line; --json the version and dtab', async (t) => {
  const ns = uniqueName('get-forms')
  const s = await api.put(ns, '/svc => /srv; /svc/users => 9 * /srv/users-v1 & 1 * /srv/users-v2')
  printed(t, await ctl('dtab', 'get', ns, '--pretty=false'), oneLine(s.dtab))
  printed(t, await ctl('dtab', 'get', ns, '--no-pretty'), oneLine(s.dtab))
  printed(t, await ctl('dtab', 'cat', ns, '--json'), getJson(s))
})

test('get: a missing dtab exits 4; a name namerd refuses (400) exits 5 with its message', async (t) => {
  const missing = uniqueName('missing')
  failsWith(t, await ctl('dtab', 'get', missing), 4, /not found/)
  failsWith(t, await ctl('dtab', 'get', '.bad'), 5, /invalid namespace "\.bad"/)
  failsWith(t, await ctl('dtab', 'create', '.bad', inputFile(t, 'd', '/a=>/b')), 5, /\.bad/)
})

test("the names '.' and '..' are refused as names, never sent as other URLs", async (t) => {
  const file = inputFile(t, 'd', '/a=>/b')
  for (const args of [
    ['get', '.'],
    ['get', '..'],
    ['create', '..', file],
    ['delete', '..'],
  ]) {
    const r = await ctl('dtab', ...args)
    t.true(r.status === 5 || r.status === 2, `exit 5 (namerd's 400) or 2: ${show(r)}`)
    t.regex(r.stderr, /^namerctl: invalid (namespace|name|dtab name)\b/, show(r))
  }
})

test('create (new) from dtab text, standard input, get --json output and a bare array', async (t) => {
  const text = '/svc=>/srv ;\n# a comment\n/svc/users => 9 * /srv/v1 & 1 * /srv/v2;'
  const cases: [string, string[], string | undefined][] = [
    ['create', [inputFile(t, 'a.dtab', text)], undefined],
    ['new', ['-'], text],
    ['create', [inputFile(t, 'b.json', JSON.stringify({ version: 'x', dtab: json(text) }))], ''],
    ['create', ['-'], ` \n ${JSON.stringify(json(text))}`],
  ]
  const proxy = await recordingProxy(cleanupsOf(t), api.base)
  for (const [cmd, file, input] of cases) {
    const ns = uniqueName('create')
    const r = await namerctl(['dtab', cmd, ns, ...file, '--base-url', proxy.base], { input })
    printed(t, r, `Created ${ns}\n`)
    t.deepEqual((await api.must(ns)).dtab, json(text), `${cmd} ${file.join(' ')}`)
  }
  for (const post of proxy.log) {
    t.is(post.contentType, 'application/dtab', 'dtab text, whatever the input')
    t.deepEqual(json(post.body), json(text))
  }
  t.is(proxy.log.length, cases.length, 'one POST each')
})

test('create: an existing dtab exits 6 and is left as it was', async (t) => {
  const ns = uniqueName('create-exists')
  const before = await api.put(ns, '/a=>/b')
  const r = await ctl('dtab', 'create', ns, inputFile(t, 'd', '/x=>/y'))
  failsWith(t, r, 6, /already exists/)
  t.deepEqual(await api.get(ns), before)
})

test('create: a syntax error is shown with the line and a caret, exit 1, nothing sent', async (t) => {
  const proxy = await recordingProxy(cleanupsOf(t), api.base)
  const ns = uniqueName('create-bad')
  const file = inputFile(t, 'bad.dtab', '/svc => /srv;\n/svc/users = > /srv/users-v2;\n')
  const r = await namerctl(['dtab', 'create', ns, file, '--base-url', proxy.base])
  t.is(r.status, 1, show(r))
  t.is(r.stdout, '')
  const lines = r.stderr.split('\n')
  t.true(lines[0]?.startsWith(`namerctl: ${file}:2:13: invalid dtab: `), show(r))
  t.is(lines[1], '  /svc/users = > /srv/users-v2;')
  t.is(lines[2], `  ${' '.repeat(12)}^`)
  t.false(r.stderr.includes('    at '), 'no stack trace')
  const badJson = inputFile(t, 'bad.json', '[{"prefix":"svc","dst":"/srv"}]')
  const j = await namerctl(['dtab', 'create', ns, badJson, '--base-url', proxy.base])
  t.is(j.status, 1, show(j))
  t.regex(j.stderr, /^namerctl: /)
  t.deepEqual(writes(proxy), [], 'nothing written')
  t.is(await api.get(ns), undefined)
})

test('create and update: an unreadable file exits 1', async (t) => {
  const ns = uniqueName('unreadable')
  failsWith(t, await ctl('dtab', 'create', ns, '/nonexistent/d'), 1, /cannot read \/nonexistent\/d/)
  await api.put(ns, '/a=>/b')
  failsWith(t, await ctl('dtab', 'update', ns, '/nonexistent/d'), 1, /cannot read/)
})

test('delete (del, rm) removes the dtab; a missing one exits 4', async (t) => {
  for (const cmd of ['delete', 'del', 'rm']) {
    const ns = uniqueName('delete')
    await api.put(ns, '/a=>/b')
    printed(t, await ctl('dtab', cmd, ns), `Deleted ${ns}\n`)
    t.is(await api.get(ns), undefined)
    failsWith(t, await ctl('dtab', cmd, ns), 4, /not found/)
  }
})
