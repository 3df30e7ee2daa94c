import test, { type ExecutionContext } from 'ava'
import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { existsSync } from 'node:fs'
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join, relative } from 'node:path'
import { readDtab } from '../../../dtabs/index.js'
import { Section } from '../../../lib/config/section.js'
import { createLog } from '../../../lib/log.js'
import { parseKind, registry } from '../../../lib/plugin.js'
import { eventually } from '../../../testing/eventually.js'
import { record, storeConformance, textOf } from '../../../testing/namerd/storage-conformance.js'
import { DtabStore } from '../dtab-store.js'
import { openFileBackend } from './open.js'
import { fileStorage } from './plugin.js'
import type { FileBackend } from './backend.js'
import { longVersion } from '../version.js'

const log = createLog({ silent: true })
const d = readDtab

async function tempDir(t?: ExecutionContext): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'namerd-file-'))
  t?.teardown(() => rm(dir, { recursive: true, force: true }))
  return dir
}

const open = (path: string, preload?: Map<string, string>, historySize?: number): FileBackend =>
  openFileBackend({ path, log, historySize, ...(preload === undefined ? {} : { preload }) })

/** A write's note (the conformance suite checks notes; here any will do). */
const note = { at: Date.UTC(2026, 0, 2, 3, 4, 5, 678) }

storeConformance(
  test,
  'io.l5d.file',
  async ({ historySize }) => ({
    store: new DtabStore(open(join(await tempDir(), 'dtabs.json'), undefined, historySize)),
  }),
  async ({ store }) => {
    await store.close()
    await rm(dirname((store.backend as FileBackend).path), { recursive: true, force: true })
  },
)

test('the first start writes the preload at version 1; later starts ignore it', async (t) => {
  const path = join(await tempDir(t), 'new', 'dir', 'dtabs.json')
  const b1 = open(path, new Map([['default', '/svc=>/#/io.l5d.fs']]))
  t.true(existsSync(path), 'the file is created at once')
  t.like(await b1.read('default'), { text: '/svc=>/#/io.l5d.fs', version: longVersion(1n) })
  t.like(await b1.history('default'), [
    { text: '/svc=>/#/io.l5d.fs', version: longVersion(1n), message: 'preloaded' },
  ])
  t.is((await b1.delete('default', note)).type, 'ok')
  await b1.close()
  const b2 = open(path, new Map([['default', '/svc=>/other']]))
  t.deepEqual(await b2.list(), [], 'a deleted preloaded namespace stays deleted')
  await b2.close()
})

test('durable: a reopened store has the same dtabs and versions; counters go on', async (t) => {
  const path = join(await tempDir(t), 'dtabs.json')
  const b1 = open(path)
  await b1.create('a', '/a=>/1', note)
  const a2 = await b1.update('a', '/a=>/2', longVersion(1n), note)
  await b1.put('b', '/b=>/1', note)
  const gone = await b1.create('gone', '/g=>/1', note)
  const goneVersion = gone.type === 'ok' ? gone.stored.version : ''
  const del = await b1.delete('gone', note)
  t.is(del.type, 'ok')
  await b1.close()
  t.false(existsSync(`${path}.lock`), 'close released the lock')

  const b2 = open(path)
  t.deepEqual((await b2.list()).sort(), ['a', 'b'])
  t.deepEqual(await b2.read('a'), a2.type === 'ok' ? a2.stored : undefined)
  t.like(await b2.read('b'), { text: '/b=>/1', version: longVersion(3n) }, 'created at rev 3')
  t.is(await b2.read('gone'), undefined)
  const a3 = await b2.update('a', '/a=>/3', longVersion(2n), note)
  t.like(a3, { type: 'ok', stored: { text: '/a=>/3', version: longVersion(3n) } })
  const lastRev = del.type === 'ok' ? del.rev : 0n
  t.true(a3.type === 'ok' && a3.stored.rev > lastRev, 'rev continues past the deletion')
  const again = await b2.create('gone', '/g=>/2', note)
  t.true(again.type === 'ok' && a3.type === 'ok' && again.stored.rev > a3.stored.rev)
  t.is(
    (await b2.update('gone', '/g=>/3', goneVersion, note)).type,
    'version-mismatch',
    'a version read before the delete does not match the re-created namespace',
  )
  await b2.close()
  const onDisk = JSON.parse(await readFile(path, 'utf8'))
  t.is(onDisk.format, 2)
  t.is(onDisk.rev, again.type === 'ok' ? again.stored.rev.toString() : '')
  t.deepEqual(onDisk.namespaces.a, { dtab: '/a=>/3', version: '3', rev: onDisk.namespaces.a.rev })
})

// A child namerd: `write` puts ever larger numbers into `n` (printing each acknowledged one),
// `hold` opens the store and waits.
const CHILD = `
const [mode, fileUrl, logUrl, path] = process.argv.slice(1)
const { openFileBackend } = await import(fileUrl)
const { createLog } = await import(logUrl)
const b = openFileBackend({ path, log: createLog({ silent: true }) })
const held = await b.read('n')
let i = held === undefined ? 0 : Number(held.text.split(';')[0].split('/').at(-1))
process.stdout.write('ready\\n')
if (mode === 'hold') setInterval(() => {}, 1000)
const pad = Array.from({ length: 10000 }, (_, k) => '/pad/' + k + '=>/x/' + k).join(';')
while (mode === 'write') {
  i++
  await b.put('n', '/v=>/' + i + ';' + pad, { at: Date.now() })
  process.stdout.write(i + '\\n')
}
`
const PAD = Array.from({ length: 10000 }, (_, k) => `/pad/${k}=>/x/${k}`).join(';')

interface Child {
  readonly proc: ChildProcess
  readonly lines: string[]
}

function startChild(t: ExecutionContext, mode: 'write' | 'hold', path: string): Child {
  const url = (f: string): string => new URL(f, import.meta.url).href
  const args = [mode, url('./open.js'), url('../../../lib/log.js'), path]
  const proc = spawn(process.execPath, ['--input-type=module', '-e', CHILD, ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  t.teardown(() => void proc.kill('SIGKILL'))
  const lines: string[] = []
  let rest = ''
  proc.stdout?.on('data', (chunk: Buffer) => {
    const parts = (rest + chunk.toString()).split('\n')
    rest = parts.pop() ?? ''
    lines.push(...parts)
  })
  return { proc, lines }
}

async function kill(child: Child): Promise<void> {
  const exited = once(child.proc, 'exit')
  child.proc.kill('SIGKILL')
  await exited
}

test.serial('atomic: a writer killed at any moment leaves a complete file', async (t) => {
  const path = join(await tempDir(t), 'dtabs.json')
  let leftovers = 0
  for (const acks of [1, 4, 9, 2, 15, 6, 3, 11, 5, 7]) {
    const child = startChild(t, 'write', path)
    await eventually(`${acks} writes`, () => child.lines.length > acks)
    await kill(child)
    const lastAck = Number(child.lines.at(-1))
    if (existsSync(`${path}.tmp`)) leftovers++
    const text = await readFile(path, 'utf8')
    t.notThrows(() => JSON.parse(text), 'the file is complete JSON')
    const b = open(path) // takes over the dead child's lock
    const held = await b.read('n')
    const i = Number(held?.text.split(';')[0]?.split('/').at(-1))
    t.true(i >= lastAck, `holds ${i}, the last acknowledged ${lastAck} or a later one`)
    t.deepEqual(held, { text: `/v=>/${i};${PAD}`, version: longVersion(BigInt(i)), rev: held?.rev })
    const last = (await b.history('n')).at(-1)
    t.like(last, { text: held?.text, version: held?.version, rev: held?.rev }, 'and its entry')
    t.false(existsSync(`${path}.tmp`), 'the leftover temp file is gone')
    await b.close()
  }
  t.log(`killed mid-write (temp file left) ${leftovers} times out of 10`)
  await writeFile(`${path}.tmp`, '{"format":1,"rev":"9', 'utf8') // a torn temp file
  const b = open(path)
  t.false(existsSync(`${path}.tmp`))
  t.truthy(await b.read('n'))
  await b.close()
})

test('a data file that does not read is an error naming it, never an empty start', async (t) => {
  const path = join(await tempDir(t), 'dtabs.json')
  const b = open(path)
  await b.create('a', '/a=>/b', note)
  await b.close()
  const good = await readFile(path, 'utf8')
  const bad = [
    good.slice(0, good.length / 2),
    '',
    '[1]',
    good.replace('"format": 2', '"format": 3'),
  ]
  for (const text of [...bad, good.replace('"version": "1"', '"version": 1')]) {
    await writeFile(path, text)
    const e = t.throws(() => open(path), { code: 'ERR_STORE_CORRUPT' })
    t.true(e?.message.includes(path), e?.message)
    t.is(await readFile(path, 'utf8'), text, 'the file is left alone')
  }
  await writeFile(path, good)
  const again = open(path) // the failed opens released the lock
  t.like(await again.read('a'), { text: '/a=>/b' })
  await again.close()
  await writeFile(join(dirname(path), 'file'), '')
  t.throws(() => open(join(dirname(path), 'file', 'dtabs.json')), { code: 'ERR_STORE_IO' })
})

test.serial(
  'one owner: a second opener is refused; a dead owner’s lock is taken over',
  async (t) => {
    const path = join(await tempDir(t), 'dtabs.json')
    const b = open(path)
    t.throws(() => open(path), { code: 'ERR_STORE_LOCKED' }, 'same process')
    await b.close()
    const child = startChild(t, 'hold', path)
    await eventually('the child to open the store', () => child.lines.includes('ready'))
    const e = t.throws(() => open(path), { code: 'ERR_STORE_LOCKED' }, 'another process')
    t.true(e?.message.includes(`process ${child.proc.pid}`), e?.message)
    await kill(child)
    const dead = spawn(process.execPath, ['-e', ''])
    await once(dead, 'exit')
    for (const owner of [`${child.proc.pid}\n`, `${dead.pid}\n`, `${process.pid}\n`, '', 'junk']) {
      if (owner !== `${child.proc.pid}\n`) await writeFile(`${path}.lock`, owner)
      const taken = open(path)
      t.is(await readFile(`${path}.lock`, 'utf8'), `${process.pid}\n`, `took over ${owner}`)
      await taken.close()
    }
  },
)

test('a failed write rejects and changes nothing: not memory, not the file, not watchers', async (t) => {
  const path = join(await tempDir(t), 'dtabs.json')
  const store = new DtabStore(open(path))
  await store.create('a', d('/a=>/1'))
  const got = await store.get('a')
  const v1 = got.type === 'found' ? got.version : ''
  const before = await readFile(path, 'utf8')
  const seen = record(store.observe('a'))
  await mkdir(`${path}.tmp`) // the temp file cannot be written
  await t.throwsAsync(store.update('a', d('/a=>/2'), v1), { code: 'ERR_STORE_IO' })
  await t.throwsAsync(store.put('b', d('/b=>/1')), { code: 'ERR_STORE_IO' })
  await t.throwsAsync(store.delete('a'), { code: 'ERR_STORE_IO' })
  t.is(await readFile(path, 'utf8'), before)
  t.deepEqual(await store.list(), ['a'])
  t.like(await store.get('a'), { type: 'found', version: v1 })
  t.deepEqual(seen.seen.map(textOf), ['/a=>/1'], 'watchers saw nothing')
  t.deepEqual(
    (await store.history('a')).map((e) => e.text),
    ['/a=>/1'],
    'history has no entry of a failed write',
  )
  await rm(`${path}.tmp`, { recursive: true })
  t.is(await store.update('a', d('/a=>/2'), v1), 'ok', 'writes work again')
  seen.stop()
  await store.close()
  const reopened = open(path)
  t.like(await reopened.read('a'), { text: '/a=>/2', version: longVersion(2n) })
  t.is(await reopened.read('b'), undefined)
  await reopened.close()
})

const parse = (raw: unknown): ReturnType<typeof fileStorage.parse> =>
  parseKind(registry(fileStorage), new Section(raw, 'storage'))

test('config: path required, preload checked with locations, unknown keys refused', async (t) => {
  const kind = 'io.l5d.file'
  const err = (raw: unknown, message: RegExp): void => {
    t.throws(() => parse(raw), { code: 'ERR_CONFIG', message })
  }
  err({ kind }, /^storage\.path: required$/)
  err({ kind, path: '' }, /^storage\.path: must not be empty$/)
  err({ kind, path: 5 }, /^storage\.path: expected a string/)
  err({ kind, path: 'x', pth: 'y' }, /^storage: unknown key\(s\): pth$/)
  err({ kind, path: 'x', namespaces: 'y' }, /^storage\.namespaces: expected an object/)
  err({ kind, path: 'x', namespaces: { '.a': '/a=>/b' } }, /^storage\.namespaces\.\.a: invalid/)
  err(
    { kind, path: 'x', namespaces: { ok: '/a=>' } },
    /^storage\.namespaces\.ok: .*line 1, column 5/,
  )
  err({ kind, path: 'x', namespaces: { ok: 5 } }, /^storage\.namespaces\.ok: expected a string/)
  const path = join(await tempDir(t), 'dtabs.json')
  const raw = { kind, path: relative(process.cwd(), path), namespaces: { dflt: '/svc => /#/fs' } }
  const make = parse(raw)
  t.false(existsSync(path), 'parsing does no I/O')
  const b = make({ log })
  t.is((b as FileBackend).path, path, 'a relative path is against the working directory')
  t.like(await b.read('dflt'), { text: '/svc=>/#/fs', version: longVersion(1n) })
  await b.close()
})
