import test, { type ExecutionContext } from 'ava'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { dtabToJson, readDtab, showDtab } from '../dtabs/index.js'
import type { Namerd } from './client.js'
import { MAX_ATTEMPTS, rmEntryCommand, setCommand } from './dtab-cas.js'
import { exitStatusOf } from './exit.js'

/**
 * A tiny stand-in for namerd's dtab API (GET with ETag, POST, PUT with If-Match), with a hook
 * run before each write so that a test can play a concurrent writer.
 */
interface Fake {
  readonly namerd: Namerd
  readonly dtabs: Map<string, { version: number; text: string }>
  readonly writes: string[]
  beforeWrite: (name: string) => void
}

async function fakeNamerd(t: ExecutionContext, initial: Record<string, string>): Promise<Fake> {
  const dtabs = new Map(Object.entries(initial).map(([k, text]) => [k, { version: 1, text }]))
  const fake: Omit<Fake, 'namerd'> = { dtabs, writes: [], beforeWrite: () => undefined }
  const s = createServer((req, res) => {
    let body = ''
    req.on('data', (d: Buffer) => (body += d.toString()))
    req.on('end', (): void => {
      const name = decodeURIComponent((req.url ?? '').replace('/api/1/dtabs/', ''))
      const cur = dtabs.get(name)
      const status = (code: number): void => void res.writeHead(code).end()
      if (req.method === 'GET') {
        if (cur === undefined) return status(404)
        res.setHeader('etag', `v${cur.version}`)
        res.end(JSON.stringify(dtabToJson(readDtab(cur.text))))
        return
      }
      fake.writes.push(`${req.method} ${name}`)
      fake.beforeWrite(name)
      const now = dtabs.get(name)
      if (req.method === 'POST') {
        if (now !== undefined) return status(409)
        dtabs.set(name, { version: 1, text: body })
        return status(204)
      }
      if (now === undefined) return status(404)
      if (req.headers['if-match'] !== `v${now.version}`) return status(412)
      dtabs.set(name, { version: now.version + 1, text: body })
      status(204)
    })
  })
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve))
  t.teardown(() => new Promise<void>((resolve) => s.close(() => resolve())))
  const base = `http://127.0.0.1:${(s.address() as AddressInfo).port}`
  return Object.assign(fake, { namerd: { base, timeoutMs: 5000 } })
}

const stored = (f: Fake, name: string) => showDtab(readDtab(f.dtabs.get(name)?.text ?? ''))

async function exitOf(p: Promise<unknown>): Promise<number> {
  try {
    await p
    return 0
  } catch (e) {
    return exitStatusOf(e)
  }
}

test("set replaces the prefix's dentry and prints it in canonical form", async (t) => {
  const f = await fakeNamerd(t, { default: '/svc=>/srv;/svc/users=>/srv/users-v1' })
  const out = await setCommand(
    f.namerd,
    'default',
    '/svc/users',
    '90 * /srv/users-v1 & 10 * /srv/users-v2',
    {},
  )
  t.is(out.stdout, 'Updated default: /svc/users => 90.00*/srv/users-v1 & 10.00*/srv/users-v2\n')
  t.is(stored(f, 'default'), '/svc=>/srv;/svc/users=>90.00*/srv/users-v1 & 10.00*/srv/users-v2')
})

test("on a version conflict set reads again and keeps the other writer's change", async (t) => {
  const f = await fakeNamerd(t, { default: '/a=>/b' })
  let conflicts = 2
  f.beforeWrite = (name) => {
    const cur = f.dtabs.get(name)
    if (conflicts-- > 0 && cur !== undefined)
      f.dtabs.set(name, { version: cur.version + 1, text: `${cur.text};/other${conflicts}=>/x` })
  }
  await setCommand(f.namerd, 'default', '/mine', '/y', {})
  t.is(stored(f, 'default'), '/a=>/b;/other1=>/x;/other0=>/x;/mine=>/y')
  t.deepEqual(f.writes, ['PUT default', 'PUT default', 'PUT default'])
})

test(`set gives up after ${MAX_ATTEMPTS} conflicts with exit 7`, async (t) => {
  const f = await fakeNamerd(t, { default: '/a=>/b' })
  f.beforeWrite = (name) => {
    const cur = f.dtabs.get(name)
    if (cur !== undefined) f.dtabs.set(name, { ...cur, version: cur.version + 1 })
  }
  t.is(await exitOf(setCommand(f.namerd, 'default', '/a', '/c', {})), 7)
  t.is(f.writes.length, 5)
})

test('set on a missing dtab: exit 4 and no write, unless --create (which survives a lost race)', async (t) => {
  const f = await fakeNamerd(t, {})
  t.is(await exitOf(setCommand(f.namerd, 'ns', '/a', '/b', {})), 4)
  t.deepEqual(f.writes, [])
  let raced = false
  f.beforeWrite = (name) => {
    if (!raced) f.dtabs.set(name, { version: 1, text: '/z=>/w' })
    raced = true
  }
  await setCommand(f.namerd, 'ns', '/a', '/b', { create: true })
  t.deepEqual(f.writes, ['POST ns', 'PUT ns'])
  t.is(stored(f, 'ns'), '/z=>/w;/a=>/b')
})

test('rm-entry removes every dentry of the prefix; a prefix that is not there is exit 4', async (t) => {
  const f = await fakeNamerd(t, { default: '/a=>/b;/c=>/d;/a=>/e' })
  const out = await rmEntryCommand(f.namerd, 'default', '/a', {})
  t.is(out.stdout, 'Updated default: removed /a\n')
  t.is(stored(f, 'default'), '/c=>/d')
  t.is(await exitOf(rmEntryCommand(f.namerd, 'default', '/a', {})), 4)
  t.is(await exitOf(rmEntryCommand(f.namerd, 'missing', '/a', {})), 4)
  t.deepEqual(f.writes, ['PUT default'])
})

test('a PREFIX or DST that does not parse is exit 1 before any request', async (t) => {
  const f = await fakeNamerd(t, { default: '/a=>/b' })
  t.is(await exitOf(setCommand(f.namerd, 'default', 'a', '/b', {})), 1)
  t.is(await exitOf(setCommand(f.namerd, 'default', '/a', '/b &', {})), 1)
  t.is(await exitOf(rmEntryCommand(f.namerd, 'default', '/a/', {})), 1)
  t.deepEqual(f.writes, [])
})
