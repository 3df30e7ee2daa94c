/**
 * namerctl's dtab history, messages (-m) and rollback against a real namerd on the io.l5d.file
 * store; the compare-and-swap refusal against a namerd that answers 412.
 */
import test from 'ava'
import { conflict, json } from '../../testing/namerctl/expect.js'
import { failsWith, inputFile, namerctl, printed, show } from '../../testing/namerctl/harness.js'
import { NamerdApi } from '../../testing/namerctl/namerd-api.js'
import { fakeNamerd } from '../../testing/namerctl/servers.js'
import {
  cleanupsOf,
  shareFileNamerd,
  uniqueName,
  type SharedNamerd,
} from '../../testing/namerctl/setup.js'

let api: NamerdApi
let ctl: SharedNamerd['ctl']
shareFileNamerd(test, (n) => ({ api, ctl } = n))

interface Step {
  version: string
  dtab: string | null
  at: string
  message?: string
  changes: Array<{ op: string; dentry: string }>
}

async function steps(ns: string): Promise<Step[]> {
  const r = await ctl('dtab', 'history', ns, '--json')
  if (r.status !== 0) throw new Error(show(r))
  return JSON.parse(r.stdout) as Step[]
}

test('every write keeps its message; history lists them newest first with what each changed', async (t) => {
  const ns = uniqueName('hist')
  const file = (text: string) => inputFile(t, 'd', text)
  printed(
    t,
    await ctl('dtab', 'create', ns, file('/a=>/1;/b=>/2'), '-m', 'first'),
    `Created ${ns}\n`,
  )
  t.is((await ctl('dtab', 'update', ns, file('/a=>/1;/b=>/3'), '--message', 'b to 3')).status, 0)
  t.is((await ctl('dtab', 'set', ns, '/c', '/4', '-m', 'add c')).status, 0)
  t.is((await ctl('dtab', 'rm-entry', ns, '/a')).status, 0)
  const h = await steps(ns)
  t.deepEqual(
    h.map((s) => [s.dtab, s.message]),
    [
      ['/b=>/3;/c=>/4', undefined],
      ['/a=>/1;/b=>/3;/c=>/4', 'add c'],
      ['/a=>/1;/b=>/3', 'b to 3'],
      ['/a=>/1;/b=>/2', 'first'],
    ],
  )
  t.deepEqual(
    h[2]?.changes.filter((c) => c.op !== ' '),
    [
      { op: '-', dentry: '/b => /2' },
      { op: '+', dentry: '/b => /3' },
    ],
  )
  t.is(h[0]?.version, (await api.must(ns)).version, 'the newest step is the current version')
  const text = await ctl('dtab', 'history', ns, '-n', '2')
  t.is(text.status, 0, show(text))
  t.is(
    text.stdout,
    `version ${h[0]?.version}  ${h[0]?.at}\n  - /a => /1\n\n` +
      `version ${h[1]?.version}  ${h[1]?.at}\n    add c\n  + /c => /4\n`,
  )
  failsWith(t, await ctl('dtab', 'history', 'never-written'), 4, 'dtab never-written not found')
})

test('rollback writes back the dtab before the current one, or --to a version; a deletion too', async (t) => {
  const ns = uniqueName('rollback')
  const v1 = await api.put(ns, '/a=>/1')
  await api.put(ns, '/a=>/2')
  await api.put(ns, '/a=>/3')
  const back = await ctl('dtab', 'rollback', ns)
  t.is(back.status, 0, show(back))
  t.regex(back.stdout, new RegExp(`^Rolled back ${ns} to the dtab of version \\S+\\n$`))
  t.deepEqual((await api.must(ns)).dtab, json('/a=>/2'))
  t.is((await steps(ns))[0]?.message, `rollback to ${(await steps(ns))[2]?.version}`)
  printed(
    t,
    await ctl('dtab', 'rollback', ns, '--to', v1.version, '-m', 'back to the start'),
    `Rolled back ${ns} to the dtab of version ${v1.version}\n`,
  )
  t.deepEqual((await api.must(ns)).dtab, json('/a=>/1'))
  t.is((await steps(ns))[0]?.message, 'back to the start')
  printed(
    t,
    await ctl('dtab', 'rollback', ns, '--to', v1.version),
    `dtab ${ns} already has the dtab of version ${v1.version}\n`,
  )
  t.is((await ctl('dtab', 'delete', ns, '-m', 'oops')).status, 0)
  t.is((await ctl('dtab', 'rollback', ns)).status, 0)
  t.deepEqual((await api.must(ns)).dtab, json('/a=>/1'), 'a deleted dtab comes back')
  failsWith(
    t,
    await ctl('dtab', 'rollback', ns, '--to', 'AAAA'),
    4,
    `cannot roll back ${ns}: no version AAAA with a dtab is kept in its history (namerctl dtab history ${ns})`,
  )
})

test('rollback of a dtab with one version has nothing to go back to', async (t) => {
  const ns = uniqueName('rollback-one')
  await api.put(ns, '/a=>/1')
  failsWith(
    t,
    await ctl('dtab', 'rollback', ns),
    4,
    `cannot roll back ${ns}: no earlier dtab is kept in its history (namerctl dtab history ${ns})`,
  )
})

test('rollback is compare-and-swap: a change made since it read is refused (exit 7)', async (t) => {
  const history = [
    { version: 'V1', dtab: '/a=>/1', at: '2026-12-07T10:00:00.000Z' },
    { version: 'V2', dtab: '/a=>/2', at: '2026-12-07T10:01:00.000Z' },
  ]
  const fake = await fakeNamerd(cleanupsOf(t), (req) => {
    if (req.url === '/api/1/dtabs/ns/history') return { status: 200, body: JSON.stringify(history) }
    if (req.method === 'GET')
      return { status: 200, body: '[{"prefix":"/a","dst":"/2"}]', headers: { etag: 'V2' } }
    return { status: 412, body: 'changed' }
  })
  const r = await namerctl(['dtab', 'rollback', 'ns', '--base-url', fake.base])
  failsWith(t, r, 7, conflict('ns', 'V2'))
  const put = fake.log.find((s) => s.request.startsWith('PUT '))
  t.is(put?.ifMatch, 'V2', 'written with If-Match the version read')
  t.is(put?.body, '/a=>/1')
  t.regex(put?.request ?? '', /\?message=rollback\+to\+V1$|\?message=rollback%20to%20V1$/)
})
