/**
 * The io.l5d.fs namer against real temporary directories. Changes must be seen within 1 s;
 * when the expected value equals the previous one, a fresh "sentinel" file is created after the
 * change and awaited: a look that sees it also saw the change made before it.
 */
import test, { type ExecutionContext } from 'ava'
import { spawn } from 'node:child_process'
import { mkdirSync, mkdtempSync, renameSync, rmSync, unlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { isDeepStrictEqual } from 'node:util'
import { waitFor, type ActState, type Var } from '../../dtabs/activity.js'
import type { Addr, Address, Bound, Name } from '../../dtabs/name.js'
import { NEG, type NameTree } from '../../dtabs/name-tree.js'
import { elemFromText, type Path } from '../../dtabs/path.js'
import { WEIGHT_KEY } from './format.js'
import { FsNamer } from './namer.js'

const PREFIX: Path = ['#', 'io.l5d.fs']
type State = ActState<NameTree<Name>>

function tempDir(t: ExecutionContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'fs-namer-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

function open(t: ExecutionContext, rootDir: string, pollMs?: number): FsNamer {
  const namer = new FsNamer({ rootDir, prefix: PREFIX, pollMs })
  t.teardown(() => namer.close())
  return namer
}

const within1s = <T>(v: Var<T>, ready: (value: T) => boolean, what: string): Promise<T> =>
  waitFor(v, ready, 1000, () => new Error(`not within 1 s: ${what}`))
const equalTo =
  <T>(expected: T) =>
  (value: T): boolean =>
    isDeepStrictEqual(value, expected)

const ep = (host: string, port: number): Address => ({ host, port })
const bound = (...addrs: Address[]): Addr => ({ type: 'bound', addrs })
const isLeaf = (s: State): boolean => s.type === 'ok' && s.value.type === 'leaf'
const isNeg = (s: State): boolean => s.type === 'ok' && s.value.type === 'neg'

function boundOf(state: State): Bound {
  if (state.type !== 'ok' || state.value.type !== 'leaf')
    throw new Error(`not a leaf: ${state.type}`)
  const name = state.value.value
  if (Array.isArray(name)) throw new Error('leaf is not bound')
  return name as Bound
}

const addrOf = (namer: FsNamer, svc: string): Var<Addr> => boundOf(namer.lookup([svc]).get()).addr

let sentinels = 0
/** Resolves once the namer has looked at `dir` after everything written before the call. */
async function lookedAgain(namer: FsNamer, dir: string): Promise<void> {
  const name = `sentinel-${++sentinels}`
  writeFileSync(join(dir, name), '')
  await within1s(namer.lookup([name]), isLeaf, `${name} seen`)
}

test('binds an existing file synchronously at construction', (t) => {
  const dir = tempDir(t)
  writeFileSync(join(dir, 'web'), '127.0.0.1 8080\n')
  const namer = open(t, dir)
  const b = boundOf(namer.lookup(['web', 'v1', 'users']).get())
  t.deepEqual(b.id, ['#', 'io.l5d.fs', 'web'])
  t.deepEqual(b.path, ['v1', 'users'])
  t.deepEqual(b.addr.get(), bound(ep('127.0.0.1', 8080)))
  t.deepEqual(boundOf(namer.lookup(['web']).get()).path, [])
})

test('neg for a missing file, an empty residual and names that are not plain files', (t) => {
  const dir = tempDir(t)
  writeFileSync(join(dir, '.hidden'), '127.0.0.1 1\n')
  mkdirSync(join(dir, 'sub'))
  writeFileSync(join(dir, 'sub', 'x'), '127.0.0.1 2\n')
  writeFileSync(join(dir, 'x'), '127.0.0.1 3\n')
  const namer = open(t, dir)
  const negs: Path[] = [['nope'], [], ['.hidden'], ['.'], ['..'], ['sub'], ['sub/x'], ['..', 'x']]
  negs.push(['x\xff']) // not UTF-8: no file name decodes back to these bytes
  for (const residual of negs) t.deepEqual(namer.lookup(residual).get(), { type: 'ok', value: NEG })
  t.true(isLeaf(namer.lookup(['x']).get()))
})

test('file names are UTF-8 path elements', (t) => {
  const dir = tempDir(t)
  writeFileSync(join(dir, 'café'), '127.0.0.1 80\n')
  const namer = open(t, dir)
  const b = boundOf(namer.lookup([elemFromText('café')]).get())
  t.deepEqual(b.id, ['#', 'io.l5d.fs', 'caf\xc3\xa9'])
})

test('an empty file is a leaf with no endpoints, not neg', (t) => {
  const dir = tempDir(t)
  writeFileSync(join(dir, 'idle'), '')
  t.deepEqual(addrOf(open(t, dir), 'idle').get(), bound())
})

test('comments, blank lines and weights', (t) => {
  const dir = tempDir(t)
  writeFileSync(join(dir, 'web'), '# web tier\n\n10.0.0.1 80 # a\n10.0.0.2\t81 * 0.25\n')
  const weighted = { host: '10.0.0.2', port: 81, meta: { [WEIGHT_KEY]: 0.25 } }
  t.deepEqual(addrOf(open(t, dir), 'web').get(), bound(ep('10.0.0.1', 80), weighted))
})

test('a bad port fails the address when no good content was seen', (t) => {
  const dir = tempDir(t)
  writeFileSync(join(dir, 'web'), '10.0.0.1 80\n10.0.0.2 65536\n')
  const addr = addrOf(open(t, dir), 'web')
  t.deepEqual(addr.get(), { type: 'failed', cause: 'malformed address: 10.0.0.2 65536' })
})

test('an over-size file fails when fresh, and keeps the last good content later', async (t) => {
  const dir = tempDir(t)
  const big = '127.0.0.1 80\n'.repeat(40_000) // 520,000 bytes, over linkerd's 500 KiB
  writeFileSync(join(dir, 'big'), big)
  writeFileSync(join(dir, 'web'), '127.0.0.1 80\n')
  const namer = open(t, dir)
  const fresh = addrOf(namer, 'big').get()
  t.is(fresh.type, 'failed')
  t.regex(fresh.type === 'failed' ? fresh.cause : '', /big is 520000 bytes, over 512000$/)
  const web = addrOf(namer, 'web')
  const before = web.get()
  writeFileSync(join(dir, 'web'), big)
  await lookedAgain(namer, dir)
  t.is(web.get(), before)
})

test('a created file is published within 1 s', async (t) => {
  const dir = tempDir(t)
  const namer = open(t, dir)
  const web = namer.lookup(['web'])
  t.true(isNeg(web.get()))
  writeFileSync(join(dir, 'web'), '127.0.0.1 8080\n')
  await within1s(web, isLeaf, 'web created')
  t.deepEqual(boundOf(web.get()).addr.get(), bound(ep('127.0.0.1', 8080)))
})

test('fs.watch alone publishes within 1 s (polling once a minute)', async (t) => {
  const dir = tempDir(t)
  const namer = open(t, dir, 60_000)
  writeFileSync(join(dir, 'web'), '127.0.0.1 8080\n')
  await within1s(namer.lookup(['web']), isLeaf, 'web created')
  t.pass()
})

test('an edit is published within 1 s, to subscribers too', async (t) => {
  const dir = tempDir(t)
  writeFileSync(join(dir, 'web'), '127.0.0.1 8080\n')
  const addr = addrOf(open(t, dir), 'web')
  const seen: Addr[] = []
  t.teardown(addr.subscribe((a) => seen.push(a)))
  writeFileSync(join(dir, 'web'), '127.0.0.1 8080\n127.0.0.1 8081\n')
  const expected = bound(ep('127.0.0.1', 8080), ep('127.0.0.1', 8081))
  await within1s(addr, equalTo(expected), 'edit')
  await Promise.resolve() // subscribers are told in a microtask
  t.deepEqual(seen.at(-1), expected)
})

test('a burst of writes ends with the last content', async (t) => {
  const dir = tempDir(t)
  writeFileSync(join(dir, 'web'), '127.0.0.1 1\n')
  const addr = addrOf(open(t, dir), 'web')
  for (let port = 2; port <= 30; port++) writeFileSync(join(dir, 'web'), `127.0.0.1 ${port}\n`)
  await within1s(addr, equalTo(bound(ep('127.0.0.1', 30))), 'last write')
  t.pass()
})

test('a deleted file turns the tree neg and the addr neg', async (t) => {
  const dir = tempDir(t)
  writeFileSync(join(dir, 'web'), '127.0.0.1 8080\n')
  const namer = open(t, dir)
  const tree = namer.lookup(['web', 'v1'])
  const addr = boundOf(tree.get()).addr
  unlinkSync(join(dir, 'web'))
  await within1s(tree, isNeg, 'tree neg')
  await within1s(addr, equalTo<Addr>({ type: 'neg' }), 'addr neg')
  t.pass()
})

test('a file renamed into place is published, new or replacing', async (t) => {
  const dir = tempDir(t)
  const namer = open(t, dir)
  writeFileSync(join(dir, '.web.tmp'), '127.0.0.1 1\n')
  renameSync(join(dir, '.web.tmp'), join(dir, 'web'))
  await within1s(namer.lookup(['web']), isLeaf, 'renamed in')
  const addr = addrOf(namer, 'web')
  t.deepEqual(addr.get(), bound(ep('127.0.0.1', 1)))
  writeFileSync(join(dir, '.web.tmp'), '127.0.0.1 2\n')
  renameSync(join(dir, '.web.tmp'), join(dir, 'web'))
  await within1s(addr, equalTo(bound(ep('127.0.0.1', 2))), 'replaced by rename')
  t.pass()
})

test('a half-written or garbled file keeps the last good endpoints', async (t) => {
  const dir = tempDir(t)
  writeFileSync(join(dir, 'web'), '127.0.0.1 80\n')
  const namer = open(t, dir)
  const addr = addrOf(namer, 'web')
  const first = addr.get()
  t.deepEqual(first, bound(ep('127.0.0.1', 80)))
  writeFileSync(join(dir, 'web'), '127.0.0.1 80\n10.0.0.') // cut inside a host: malformed
  await lookedAgain(namer, dir)
  t.is(addr.get(), first)
  // Cut inside the port, the line is still well-formed (port 8): nothing can tell, so it counts.
  writeFileSync(join(dir, 'web'), '127.0.0.1 8')
  await within1s(addr, equalTo(bound(ep('127.0.0.1', 8))), 'cut port')
  const second = addr.get()
  writeFileSync(join(dir, 'web'), '127.0.0.1 80\n%%garbage%%\n')
  await lookedAgain(namer, dir)
  t.is(addr.get(), second)
  t.true(isLeaf(namer.lookup(['web']).get()))
  writeFileSync(join(dir, 'web'), '127.0.0.1 80\n127.0.0.1 81\n')
  await within1s(addr, equalTo(bound(ep('127.0.0.1', 80), ep('127.0.0.1', 81))), 'fixed')
})

test('a file that never parsed fails, then recovers when fixed', async (t) => {
  const dir = tempDir(t)
  writeFileSync(join(dir, 'web'), '127.0.0.1\n')
  const namer = open(t, dir)
  const addr = addrOf(namer, 'web')
  t.deepEqual(addr.get(), { type: 'failed', cause: 'malformed address: 127.0.0.1' })
  writeFileSync(join(dir, 'web'), '127.0.0.1 80\n')
  await within1s(addr, equalTo(bound(ep('127.0.0.1', 80))), 'fixed')
  t.pass()
})

test('a missing rootDir fails every lookup, naming it, and recovers when it appears', async (t) => {
  const dir = join(tempDir(t), 'disco')
  const namer = open(t, dir)
  for (const residual of [['web'], []]) {
    const state = namer.lookup(residual).get()
    if (state.type !== 'failed') return t.fail(`expected failed, got ${state.type}`)
    t.is((state.error as Error & { code?: string }).code, 'ERR_FS_ROOT_DIR')
    t.true(state.error.message.startsWith(`io.l5d.fs: cannot list rootDir ${dir}: ENOENT`))
  }
  mkdirSync(dir)
  writeFileSync(join(dir, 'web'), '127.0.0.1 80\n')
  await within1s(namer.lookup(['web']), isLeaf, 'rootDir created')
  t.true(isNeg(namer.lookup([]).get()))
})

test('a rootDir removed and recreated while running fails, then is watched again', async (t) => {
  const dir = join(tempDir(t), 'disco')
  mkdirSync(dir)
  writeFileSync(join(dir, 'web'), '127.0.0.1 80\n')
  const namer = open(t, dir)
  const web = namer.lookup(['web'])
  const addr = boundOf(web.get()).addr
  rmSync(dir, { recursive: true })
  await within1s(web, (s) => s.type === 'failed', 'rootDir removed')
  t.deepEqual(addr.get(), bound(ep('127.0.0.1', 80))) // endpoints are not dropped meanwhile
  mkdirSync(dir)
  writeFileSync(join(dir, 'web'), '127.0.0.1 81\n')
  await within1s(web, isLeaf, 'rootDir back')
  await within1s(addr, equalTo(bound(ep('127.0.0.1', 81))), 'new content')
  writeFileSync(join(dir, 'web'), '127.0.0.1 82\n')
  await within1s(addr, equalTo(bound(ep('127.0.0.1', 82))), 'edit in the new rootDir')
  t.pass()
})

test('lookups are cached by residual and a service keeps one addr Var', async (t) => {
  const dir = tempDir(t)
  writeFileSync(join(dir, 'web'), '127.0.0.1 80\n')
  const namer = open(t, dir)
  const web = namer.lookup(['web'])
  t.is(namer.lookup(['web']), web)
  t.is(namer.lookup(['nope']), namer.lookup(['nope']))
  t.is(namer.lookup([]), namer.lookup([]))
  const webV1 = namer.lookup(['web', 'v1'])
  t.not(webV1, web)
  t.is(boundOf(web.get()), boundOf(web.get()))
  const addr = boundOf(web.get()).addr
  t.is(boundOf(webV1.get()).addr, addr)
  unlinkSync(join(dir, 'web'))
  await within1s(web, isNeg, 'deleted')
  writeFileSync(join(dir, 'web'), '127.0.0.1 81\n')
  await within1s(web, isLeaf, 'recreated')
  t.is(namer.lookup(['web']), web)
  t.is(boundOf(web.get()).addr, addr)
})

test('unobserved cached lookups are dropped past a bound; observed ones stay', (t) => {
  const dir = tempDir(t)
  const namer = open(t, dir)
  const observed = namer.lookup(['web'])
  t.teardown(observed.subscribe(() => {}))
  const unobserved = namer.lookup(['idle'])
  for (let i = 0; i < 5000; i++) namer.lookup([`name-${i}`])
  t.is(namer.lookup(['web']), observed)
  t.not(namer.lookup(['idle']), unobserved)
})

/** Runs a child process that opens a namer, observes a lookup, and closes it if `close`. */
function child(dir: string, close: boolean): Promise<'exited' | 'still running'> {
  const script = `
    import { FsNamer } from ${JSON.stringify(new URL('./namer.js', import.meta.url).href)}
    const namer = new FsNamer({ rootDir: process.argv[1], prefix: ['#', 'io.l5d.fs'] })
    const stop = namer.lookup(['web']).subscribe(() => {})
    setTimeout(() => { stop(); if (${close}) namer.close() }, 100)`
  const proc = spawn(process.execPath, ['--input-type=module', '-e', script, dir])
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      proc.kill()
      resolve('still running')
    }, 3000)
    proc.on('exit', () => {
      clearTimeout(timer)
      resolve('exited')
    })
  })
}

test('close() releases the watch and timers so the process can exit', async (t) => {
  const dir = tempDir(t)
  writeFileSync(join(dir, 'web'), '127.0.0.1 80\n')
  const [closed, open] = await Promise.all([child(dir, true), child(dir, false)])
  t.is(closed, 'exited')
  t.is(open, 'still running') // the check has teeth: an open namer keeps the process alive
})
