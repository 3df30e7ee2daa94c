import test, { type ExecutionContext } from 'ava'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createLog, type Log, type LogFields } from '../../../lib/log.js'
import { parseKind, registry } from '../../../lib/plugin.js'
import { Section } from '../../../lib/config/section.js'
import { longVersion } from '../version.js'
import type { FileBackend } from './backend.js'
import { encode, encodeWithin, type FileState } from './format.js'
import { pastOf } from './history.js'
import { openFileBackend } from './open.js'
import { fileStorage } from './plugin.js'

const silent = createLog({ silent: true })
const AT = Date.UTC(2026, 11, 7, 12, 14, 15, 9)

async function dataFile(t: ExecutionContext, text?: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'namerd-file-history-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  const path = join(dir, 'dtabs.json')
  if (text !== undefined) await writeFile(path, text)
  return path
}

const open = (path: string, log: Log = silent): FileBackend => openFileBackend({ path, log })
const onDisk = async (path: string): Promise<Record<string, unknown>> =>
  JSON.parse(await readFile(path, 'utf8'))

test('history survives a restart, and the file shows it readably', async (t) => {
  const path = await dataFile(t)
  const b1 = open(path)
  await b1.create('a', '/a=>/1', { at: AT, by: 'alice', message: 'first "one"\n' })
  await b1.put('a', '/a=>/2', { at: AT + 1 })
  await b1.delete('a', { at: AT + 2, by: 'bob' })
  const before = await b1.history('a')
  await b1.close()
  t.deepEqual((await onDisk(path))['history'], {
    a: [
      {
        rev: '1',
        version: '1',
        dtab: '/a=>/1',
        at: '2026-12-07T12:14:15.009Z',
        by: 'alice',
        message: 'first "one"\n',
      },
      { rev: '2', version: '2', dtab: '/a=>/2', at: '2026-12-07T12:14:15.010Z' },
      { rev: '3', version: '2', at: '2026-12-07T12:14:15.011Z', by: 'bob' },
    ],
  })
  const b2 = open(path)
  t.deepEqual(await b2.history('a'), before)
  t.deepEqual(before[2], { rev: 3n, version: longVersion(2n), at: AT + 2, by: 'bob' })
  await b2.create('a', '/a=>/3', { at: AT + 3 })
  const after = await b2.history('a')
  t.deepEqual(
    after.map((e) => [e.rev, e.text]),
    [
      [1n, '/a=>/1'],
      [2n, '/a=>/2'],
      [3n, undefined],
      [4n, '/a=>/3'],
    ],
    'a re-created namespace continues its history',
  )
  await b2.close()
})

test('a format-1 file reads with no history; the first write makes it format 2', async (t) => {
  const path = await dataFile(
    t,
    `{
  "format": 1,
  "rev": "9",
  "namespaces": {
    "a": { "dtab": "/a=>/1", "version": "3", "rev": "9" },
    "b": { "dtab": "/b=>/1", "version": "5", "rev": "4" }
  }
}
`,
  )
  const b = open(path)
  t.deepEqual(await b.list(), ['a', 'b'])
  t.deepEqual(await b.read('a'), { text: '/a=>/1', version: longVersion(3n), rev: 9n })
  t.deepEqual(await b.history('a'), [])
  t.is((await onDisk(path))['format'], 1, 'opening alone does not rewrite the file')
  t.like(await b.update('a', '/a=>/2', longVersion(3n), { at: AT }), { type: 'ok' })
  await b.close()
  t.deepEqual(await onDisk(path), {
    format: 2,
    rev: '10',
    namespaces: {
      a: { dtab: '/a=>/2', version: '4', rev: '10' },
      b: { dtab: '/b=>/1', version: '5', rev: '4' },
    },
    history: { a: [{ rev: '10', version: '4', dtab: '/a=>/2', at: '2026-12-07T12:14:15.009Z' }] },
  })
})

const GOOD = { version: '3', dtab: '/a=>/1', at: '2026-01-01T00:00:00.000Z' }
const CORRUPT = {
  format: 2,
  rev: '9',
  namespaces: { a: { dtab: '/a=>/1', version: '3', rev: '9' } },
  history: {
    a: [
      { ...GOOD, rev: '2', version: '1' },
      'junk',
      { ...GOOD, rev: '3', version: 'x' },
      { ...GOOD, rev: '4', dtab: 5 },
      { ...GOOD, rev: '5', at: 'yesterday' },
      { ...GOOD, rev: '1' },
      { ...GOOD, rev: '99' },
      { ...GOOD, rev: '8', by: 7 },
      { ...GOOD, rev: '9', by: 'carol' },
    ],
    'bad name!': [],
    b: { not: 'a list' },
  },
}

/** A log that keeps its warnings. */
function warnings(): { readonly log: Log; readonly seen: [string, LogFields | undefined][] } {
  const seen: [string, LogFields | undefined][] = []
  const log = { ...silent, warn: (msg: string, f?: LogFields) => void seen.push([msg, f]) }
  return { log, seen }
}

test('history entries that do not read are skipped and logged with their place; the dtabs load', async (t) => {
  const path = await dataFile(t, JSON.stringify(CORRUPT, null, 2))
  const { log, seen } = warnings()
  const b = open(path, log)
  t.like(await b.read('a'), { text: '/a=>/1', version: longVersion(3n) })
  t.deepEqual(
    (await b.history('a')).map((e) => [e.rev, e.by]),
    [
      [2n, undefined],
      [9n, 'carol'],
    ],
  )
  const [msg, fields] = seen.find(([m]) => m.includes('history')) ?? []
  t.is(msg, 'dtab history entries skipped: they do not read')
  t.is(fields?.['count'], 9)
  t.deepEqual(fields?.['entries'], [
    'history.a[1]: not an object',
    'history.a[2]: version is not a counter (a decimal string): "x"',
    'history.a[3]: dtab is not a string',
    'history.a[4]: at is not a time: "yesterday"',
    'history.a[5]: rev not above the previous',
    "history.a[6]: rev is above the file's rev 9",
    'history.a[7]: by is not a string',
    'history.bad name!: invalid namespace name',
    'history.b: not a list',
  ])
  await b.put('a', '/a=>/2', { at: AT })
  await b.close()
  const kept = (await onDisk(path))['history'] as Record<string, { rev: string }[]>
  t.deepEqual(Object.keys(kept), ['a'], 'the next write keeps only what was read')
  t.deepEqual(
    kept['a']?.map((e) => e.rev),
    ['2', '9', '10'],
  )
})

test('a history section that is not an object is skipped whole', async (t) => {
  const path = await dataFile(t, JSON.stringify({ ...CORRUPT, history: 5 }))
  const { log, seen } = warnings()
  const b = open(path, log)
  t.deepEqual(await b.list(), ['a'])
  t.deepEqual(await b.history('a'), [])
  t.deepEqual(seen.at(-1)?.[1]?.['entries'], ['history: not an object'])
  await b.close()
})

test('historySize from the builder; a lowered one trims at the next start', async (t) => {
  const path = await dataFile(t)
  const make = (): ReturnType<typeof fileStorage.parse> =>
    parseKind(registry(fileStorage), new Section({ kind: 'io.l5d.file', path }, 'storage'))
  const b1 = make()({ log: silent })
  for (let i = 1; i <= 5; i++) await b1.put('a', `/a=>/${i}`, { at: AT + i })
  t.is((await b1.history('a')).length, 5)
  await b1.close()
  const b2 = make()({ log: silent, historySize: 2 })
  t.deepEqual(
    (await b2.history('a')).map((e) => e.text),
    ['/a=>/4', '/a=>/5'],
  )
  await b2.put('a', '/a=>/6', { at: AT })
  t.deepEqual(
    (await b2.history('a')).map((e) => e.text),
    ['/a=>/5', '/a=>/6'],
  )
  await b2.close()
})

/** Namespace `a` written 5 times and `b` twice (1 KB dtabs), then `a` once more at rev 8. */
function bigState(): FileState {
  const text = (rev: number): string => `/r=>/${rev}/${'x'.repeat(1000)}`
  const past = (rev: number) => pastOf(BigInt(rev), BigInt(rev), text(rev), { at: AT })
  return {
    rev: 8n,
    namespaces: new Map([
      ['a', { text: text(8), n: 8n, rev: 8n }],
      ['b', { text: text(7), n: 7n, rev: 7n }],
    ]),
    history: new Map([
      ['a', [1, 2, 3, 4, 5, 8].map(past)],
      ['b', [6, 7].map(past)],
    ]),
  }
}

const revs = (s: FileState): bigint[] =>
  [...s.history.values()]
    .flat()
    .map((p) => p.rev)
    .sort((x, y) => Number(x - y))

test('over the size budget, the oldest history gives way, never the dtabs or the write’s own entry', (t) => {
  const s = bigState()
  const full = Buffer.byteLength(encode(s))
  t.deepEqual(encodeWithin(s, full), { state: s, text: encode(s), dropped: 0 }, 'within: as is')
  const budget = full - 2500
  const fitted = encodeWithin(s, budget)
  t.true(Buffer.byteLength(fitted.text) <= budget)
  t.is(fitted.text, encode(fitted.state))
  t.true(fitted.dropped >= 3 && fitted.dropped <= 4, `dropped ${fitted.dropped}`)
  const older = [1n, 2n, 3n, 4n, 5n, 6n, 7n]
  t.deepEqual(revs(fitted.state), [...older.slice(fitted.dropped), 8n], 'the oldest, store-wide')
  t.is(fitted.state.namespaces, s.namespaces)
  const tiny = encodeWithin(s, 10)
  t.deepEqual(revs(tiny.state), [8n], 'everything else goes; the text stays over: no loop')
  t.is(tiny.dropped, 7)
  t.is(tiny.state.namespaces, s.namespaces)
})
