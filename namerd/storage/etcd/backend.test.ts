import test, { type ExecutionContext } from 'ava'
import { Etcd3, Range } from 'etcd3'
import { createServer, connect, type AddressInfo, type Server, type Socket } from 'node:net'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { readDtab } from '../../../dtabs/index.js'
import { Section } from '../../../lib/config/section.js'
import { nullLog, type Log } from '../../../lib/log.js'
import { parseKind, registry } from '../../../lib/plugin.js'
import { startEtcd, type EtcdServer } from '../../../testing/servers/etcd-server.js'
import { eventually } from '../../../testing/eventually.js'
import type { Backend, BackendEvents } from '../backend.js'
import {
  freshNamespace,
  record,
  storeConformance,
  textOf,
} from '../../../testing/namerd/storage-conformance.js'
import { DtabStore } from '../dtab-store.js'
import { etcdOptions, etcdStorage, readEtcdConfig } from './plugin.js'
import { EtcdBackend } from './backend.js'
import { StoreUnavailableError } from '../errors.js'
import type { StorageDeps } from '../index.js'
import type { NsState } from '../namespace-cache.js'

const d = readDtab
let etcd: EtcdServer
let raw: Etcd3

test.before(async () => {
  etcd = await startEtcd()
  raw = new Etcd3({ hosts: `http://${etcd.endpoint}` })
})

test.after.always(async () => {
  raw?.close()
  await etcd?.cleanup()
})

function backend(
  pathPrefix: string,
  log: Log = nullLog,
  endpoint = etcd.endpoint,
  historySize?: number,
): EtcdBackend {
  return new EtcdBackend({ hosts: [`http://${endpoint}`], pathPrefix }, log, historySize)
}

/** Closes `c` when the test ends, whatever its outcome. */
function closing<T extends { close(): Promise<void> }>(t: ExecutionContext, c: T): T {
  t.teardown(() => c.close())
  return c
}

const freshPrefix = (tag: string): string => `/t/${freshNamespace(tag)}`

/** A Log keeping every line as text (to look for messages, and for secrets that must not be there). */
function recordingLog(): Log & { readonly lines: string[] } {
  const lines: string[] = []
  const at = (level: string) => (msg: string, fields?: object) =>
    void lines.push(JSON.stringify({ level, msg, ...fields }))
  return { lines, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') }
}

/** Settles `p` as a value or error, or 'hung' after `ms` (a generous bound, not a timing check). */
async function settle(p: Promise<unknown>, ms: number): Promise<unknown> {
  let timer: NodeJS.Timeout | undefined
  const hung = new Promise((r) => (timer = setTimeout(() => r('hung'), ms)))
  try {
    return await Promise.race([p.catch((e: unknown) => e), hung])
  } finally {
    clearTimeout(timer)
  }
}

/** The texts of the states seen, and whether every one was found with a rising rev. */
function foundInOrder(seen: readonly NsState[]): { texts: string[]; ok: boolean } {
  const found = seen.filter((s) => s.type === 'found')
  const revs = found.map((s) => s.rev)
  const rising = revs.every((r, i) => i === 0 || r > (revs[i - 1] as bigint))
  return { texts: found.map(textOf), ok: found.length === seen.length && rising }
}

storeConformance(test, 'io.l5d.etcd', async ({ historySize }) => {
  const prefix = freshPrefix('conf')
  const open = (): DtabStore => new DtabStore(backend(prefix, nullLog, etcd.endpoint, historySize))
  return { store: open(), replica: open() }
})

test.serial(
  'layout: key <pathPrefix>/<ns> holds the dtab text; ETag is base64 of the decimal mod revision',
  async (t) => {
    const store = closing(t, new DtabStore(backend('/namerd/dtabs')))
    const ns = freshNamespace('layout')
    const key = `/namerd/dtabs/${ns}`
    t.is(await store.create(ns, d('/svc=>/#/io.l5d.fs')), 'ok')
    const kv = (await raw.get(key).exec()).kvs[0]
    t.is(kv?.value.toString(), '/svc=>/#/io.l5d.fs')
    const got = await store.get(ns)
    t.is(
      got.type === 'found' ? got.version : '',
      Buffer.from(kv?.mod_revision ?? '?').toString('base64'),
    )

    const obs = store.observe(ns)
    const rev = (await raw.put(key).value('/svc=>/#/io.l5d.k8s').exec()).header.revision
    await eventually('the outside write', () => textOf(obs.get()) === '/svc=>/#/io.l5d.k8s')
    const now = obs.get()
    t.is(now.type === 'found' ? now.version : '', Buffer.from(rev).toString('base64'))
    await raw.put(`/namerd/dtabs/${ns}/nested`).value('/a=>/b')
    t.false(
      (await store.list()).some((n) => n.includes('/')),
      'keys that are no namespace are not listed',
    )
    t.is(await store.delete(ns), 'ok')
    t.is(await raw.get(key).string(), null)
  },
)

/** Records what a backend's watch reports, to check its order. */
function watchLog(): BackendEvents & { readonly log: string[]; readonly ordered: () => boolean } {
  const log: string[] = []
  let floor = -1n
  let last = -1n
  let ordered = true
  return {
    log,
    ordered: () => ordered,
    snapshot: (all, rev) => {
      log.push(`snapshot@${rev}`)
      floor = rev
    },
    change: (ns, value, rev) => {
      log.push(`${value?.text ?? 'deleted'}@${rev}`)
      if (rev <= floor || rev <= last) ordered = false
      last = rev
    },
    reachable: (up) => log.push(up ? 'up' : 'down'),
  }
}

test.serial(
  'etcd killed: reads answer the last dtab, writes fail fast with 503, the watch catches up after a restart',
  async (t) => {
    const prefix = freshPrefix('fault')
    const log = recordingLog()
    const store = closing(t, new DtabStore(backend(prefix, log)))
    const spy = closing(t, backend(prefix))
    const events = watchLog()
    spy.watch(events)
    const ns = freshNamespace('fault')
    await store.create(ns, d('/a=>/1'))
    const obs = store.observe(ns)
    await eventually('the first value', () => textOf(obs.get()) === '/a=>/1')
    const rec = record(obs)
    await eventually('the spy watching', () => events.log.some((l) => l.startsWith('snapshot@')))

    await etcd.kill()
    let down = true
    t.teardown(async () => {
      if (down) await etcd.start()
    })
    t.is(textOf(await store.get(ns)), '/a=>/1', 'a read answers the last known dtab')
    const held = obs.get()
    const version = held.type === 'found' ? held.version : ''
    const writes = await Promise.all([
      settle(store.update(ns, d('/a=>/x'), version), 7500),
      settle(store.put(ns, d('/a=>/x')), 7500),
      settle(store.create(`${ns}-new`, d('/a=>/x')), 7500),
      settle(store.delete(ns), 7500),
    ])
    for (const w of writes) t.true(w instanceof StoreUnavailableError, `a write gave ${String(w)}`)
    await eventually('the outage noticed', () => !store.reachable)

    await etcd.start()
    down = false
    const other = new Etcd3({ hosts: `http://${etcd.endpoint}` })
    await other.put(`${prefix}/${ns}`).value('/a=>/2')
    other.close()
    await eventually('the observer catching up', () => textOf(obs.get()) === '/a=>/2', 15_000)
    t.true(store.reachable)
    t.is(await store.put(ns, d('/a=>/3')), 'ok')
    await eventually('the write after', () => textOf(obs.get()) === '/a=>/3')
    await eventually('the spy catching up', () => events.log.at(-1)?.startsWith('/a=>/3') === true)
    rec.stop()
    t.log(events.log.join(' '))

    const seen = foundInOrder(rec.seen)
    t.true(seen.ok, `never absent, pending or out of order: ${rec.seen.map(textOf).join(', ')}`)
    t.deepEqual(seen.texts, ['/a=>/1', '/a=>/2', '/a=>/3'])
    t.true(events.ordered(), `the backend reported in order: ${events.log.join(' ')}`)
    t.true(
      events.log.filter((l) => l.startsWith('snapshot@')).length >= 2,
      're-read after the restart',
    )
    t.true(
      events.log.includes('down') && events.log.at(-1) !== 'down',
      'reachability went down and up',
    )
    t.true(
      log.lines.filter((l) => l.includes('etcd unreachable')).length <= 2,
      'outage lines limited',
    )
  },
)

/** `b`, whose watch also tells `spy` what it reports. */
function spied(b: EtcdBackend, spy: BackendEvents): EtcdBackend {
  const watch = b.watch.bind(b)
  b.watch = (events) =>
    watch({
      snapshot: (all, rev) => (spy.snapshot(all, rev), events.snapshot(all, rev)),
      change: (ns, value, rev) => (spy.change(ns, value, rev), events.change(ns, value, rev)),
      reachable: (up) => (spy.reachable(up), events.reachable(up)),
    })
  return b
}

/** A TCP relay to etcd that can cut its clients off, or go silent, while etcd stays up. */
class Relay {
  private readonly server: Server
  private readonly sockets = new Set<Socket>()
  private blocked = false
  private silent = false

  constructor(target: number) {
    this.server = createServer((c) => {
      if (this.blocked) return void c.destroy()
      const u = connect(target, '127.0.0.1')
      const end = (): void => {
        for (const s of [c, u]) {
          s.destroy()
          this.sockets.delete(s)
        }
      }
      for (const s of [c, u]) {
        this.sockets.add(s)
        s.on('error', end).on('close', end)
      }
      c.on('data', (b: Buffer) => void (this.silent || u.write(b)))
      u.on('data', (b: Buffer) => void (this.silent || c.write(b)))
    })
  }

  async start(): Promise<string> {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r))
    return `127.0.0.1:${(this.server.address() as AddressInfo).port}`
  }

  block(): void {
    this.blocked = true
    for (const s of this.sockets) s.destroy()
  }

  unblock(): void {
    this.blocked = false
  }

  /** Drops all data from now on, resetting nothing (a link lost silently). */
  silence(): void {
    this.silent = true
  }

  /** Ends the silence; connections that lost data are reset (their streams are corrupt). */
  heal(): void {
    this.silent = false
    for (const s of this.sockets) s.destroy()
  }

  async close(): Promise<void> {
    this.block()
    await new Promise((r) => this.server.close(r))
  }
}

test.serial(
  'a watch cut off while its revisions were compacted reads again and goes on',
  async (t) => {
    const relay = closing(t, new Relay(etcd.port))
    const prefix = freshPrefix('compact')
    const log = recordingLog()
    const events = watchLog()
    const inner = spied(backend(prefix, log, await relay.start()), events)
    const store = closing(t, new DtabStore(inner))
    const ns = freshNamespace('compact')
    const key = `${prefix}/${ns}`
    await store.create(ns, d('/v=>/0'))
    const obs = store.observe(ns)
    await eventually('the first value', () => textOf(obs.get()) === '/v=>/0')
    // The watch must be attached before the cut: on a loaded machine its first read may still be
    // under way, and a read after the compaction leaves nothing to cancel. A change reported
    // (not a snapshot) can only have come through it.
    await raw.put(key).value('/v=>/0a').exec()
    await eventually('the watch attached', () => events.log.some((l) => l.startsWith('/v=>/0a@')))
    const rec = record(obs)

    relay.block()
    await eventually('the cut noticed', () => !store.reachable)
    let rev = ''
    for (let i = 1; i <= 3; i++)
      rev = (await raw.put(key).value(`/v=>/${i}`).exec()).header.revision
    await raw.kv.compact({ revision: rev, physical: true })
    relay.unblock()

    await eventually('the value written while away', () => textOf(obs.get()) === '/v=>/3')
    await eventually('the cancel seen', () => log.lines.some((l) => l.includes('watch canceled')))
    await raw.put(key).value('/v=>/4').exec()
    await eventually('a later write', () => textOf(obs.get()) === '/v=>/4')
    rec.stop()
    const seen = foundInOrder(rec.seen)
    t.true(seen.ok, `in order: ${rec.seen.map(textOf).join(', ')}`)
    t.is(seen.texts[0], '/v=>/0a')
    t.is(seen.texts.at(-1), '/v=>/4')
  },
)

test.serial(
  'a link lost silently: keepalive notices, writes fail by their deadline, all catches up after',
  async (t) => {
    const relay = closing(t, new Relay(etcd.port))
    const prefix = freshPrefix('silent')
    const options = { hosts: [`http://${await relay.start()}`], pathPrefix: prefix }
    const store = closing(t, new DtabStore(new EtcdBackend(options, nullLog)))
    // The spy makes no calls of its own: only the keepalive can tell it the link is gone.
    const spy = closing(t, new EtcdBackend({ ...options, keepaliveMs: 6000 }, nullLog))
    const events = watchLog()
    spy.watch(events)
    const ns = freshNamespace('silent')
    await store.create(ns, d('/s=>/1'))
    const obs = store.observe(ns)
    await eventually('the first value', () => textOf(obs.get()) === '/s=>/1')
    await eventually('the spy watching', () => events.log.some((l) => l.startsWith('snapshot@')))
    const rec = record(obs)

    relay.silence()
    await eventually('the keepalive noticing', () => events.log.at(-1) === 'down', 20_000)
    const put = await settle(store.put(ns, d('/s=>/x')), 7500)
    t.true(put instanceof StoreUnavailableError, `the write gave ${String(put)}`)
    t.is(textOf(await store.get(ns)), '/s=>/1', 'a read answers the last known dtab')
    await raw.put(`${prefix}/${ns}`).value('/s=>/2').exec()
    relay.heal()

    await eventually('the observer catching up', () => textOf(obs.get()) === '/s=>/2', 15_000)
    await eventually(
      'the spy catching up',
      () => events.log.lastIndexOf('up') > events.log.lastIndexOf('down'),
      15_000,
    )
    rec.stop()
    t.deepEqual(foundInOrder(rec.seen), { texts: ['/s=>/1', '/s=>/2'], ok: true })
    t.true(events.ordered(), `the backend reported in order: ${events.log.join(' ')}`)
  },
)

const storage = registry(etcdStorage)
const parse = (raw: object): ((deps: StorageDeps) => Backend) =>
  parseKind(storage, new Section({ kind: 'io.l5d.etcd', ...raw }, 'storage'))

test('config: defaults, and experimental: true accepted', (t) => {
  const c = readEtcdConfig(new Section({}, 'storage'))
  t.deepEqual(etcdOptions(c, {}), { hosts: ['http://localhost:2379'], pathPrefix: '/namerd/dtabs' })
  t.notThrows(() => parse({ experimental: true }))
  const ipv6 = readEtcdConfig(new Section({ host: '::1', port: 4001, pathPrefix: '/x/' }, 's'))
  t.deepEqual([ipv6.endpoints, ipv6.pathPrefix], [['[::1]:4001'], '/x'])
  const many = readEtcdConfig(new Section({ endpoints: ['a:1', '10.0.0.2:2379'] }, 's'))
  t.deepEqual(etcdOptions(many, {}).hosts, ['http://a:1', 'http://10.0.0.2:2379'])
})

test('config: errors name their location', (t) => {
  const fails = (raw: object, message: string): void => {
    t.is(t.throws(() => parse(raw))?.message, message)
  }
  fails(
    { host: 'a', endpoints: ['b:1'] },
    'storage.endpoints: give either endpoints or host and port, not both',
  )
  fails(
    { endpoints: ['b:1', 'http://c:2'] },
    'storage.endpoints[1]: expected "host:port", got "http://c:2"',
  )
  fails({ endpoints: [] }, 'storage.endpoints: expected at least one "host:port"')
  fails({ hots: 'x' }, 'storage: unknown key(s): hots')
  fails({ tls: { ca: 'x' } }, 'storage.tls: unknown key(s): ca')
  fails(
    { tls: { certPath: 'c' } },
    'storage.tls: certPath and keyPath go together (a client certificate and its key)',
  )
  fails({ pathPrefix: 'namerd' }, 'storage.pathPrefix: must start with "/", got "namerd"')
  fails({ port: 0 }, 'storage.port: expected an integer in [1, 65535], got number 0')
})

test('config: credentials from the environment unless in the file; TLS files read when built', (t) => {
  const env = { NAMERD_ETCD_USERNAME: 'env-user', NAMERD_ETCD_PASSWORD: 'env-pw' }
  const none = readEtcdConfig(new Section({}, 'storage'))
  t.deepEqual(etcdOptions(none, env).auth, { username: 'env-user', password: 'env-pw' })
  const file = readEtcdConfig(new Section({ username: 'u', password: 'p' }, 'storage'))
  t.deepEqual(etcdOptions(file, env).auth, { username: 'u', password: 'p' })
  const numeric = t.throws(() => readEtcdConfig(new Section({ password: 84736251 }, 'storage')))
  t.is(
    numeric?.message,
    'storage.password: expected a string (not shown)',
    'the value is never echoed',
  )
  const half = readEtcdConfig(new Section({ password: 'p' }, 'storage'))
  t.is(
    t.throws(() => etcdOptions(half, {}))?.message,
    'storage.username: required with the password (in the file or NAMERD_ETCD_USERNAME)',
  )
  const dir = mkdtempSync(join(tmpdir(), 'etcd-tls-'))
  try {
    writeFileSync(join(dir, 'ca.pem'), 'CA')
    const tls = readEtcdConfig(new Section({ tls: { caCertPath: join(dir, 'ca.pem') } }, 'storage'))
    const o = etcdOptions(tls, {})
    t.deepEqual([o.hosts, o.tls?.ca?.toString()], [['https://localhost:2379'], 'CA'])
    const missing = parse({ tls: { caCertPath: join(dir, 'nope.pem') } })
    t.regex(
      t.throws(() => missing({ log: nullLog }))?.message ?? '',
      /^storage\.tls\.caCertPath: cannot read /,
    )
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

// Last: it turns auth on in the shared etcd (and off again).
test.serial(
  'auth: the user and password from the environment reach etcd; a wrong one is a 503',
  async (t) => {
    const prefix = freshPrefix('auth')
    const root = 'root-pw-do-not-log'
    await raw.role('root').create()
    await raw.user('root').create(root)
    await raw.user('root').addRole('root')
    const role = await raw.role('namerd').create()
    await role.grant({ permission: 'Readwrite', range: Range.prefix(`${prefix}/`) })
    await raw.user('namerd').create('namerd-pw-secret')
    await raw.user('namerd').addRole('namerd')
    await raw.auth.authEnable()
    const log = recordingLog()
    const open = (password: string): DtabStore => {
      const build = parse({ endpoints: [etcd.endpoint], pathPrefix: prefix })
      const env = { NAMERD_ETCD_USERNAME: 'namerd', NAMERD_ETCD_PASSWORD: password }
      return new DtabStore(build({ log, env }))
    }
    const good = open('namerd-pw-secret')
    const bad = open('wrong-pw-secret')
    try {
      const ns = freshNamespace('auth')
      t.is(await good.create(ns, d('/a=>/b')), 'ok')
      await eventually('the watch with auth', () => textOf(good.observe(ns).get()) === '/a=>/b')
      const refused = await settle(bad.create(`${ns}-x`, d('/a=>/b')), 7500)
      t.true(refused instanceof StoreUnavailableError, `the write gave ${String(refused)}`)
      t.regex(String(refused), /authentication failed/)
      t.false(
        log.lines.some((l) => l.includes('pw-secret')),
        'no password in the log',
      )
    } finally {
      await good.close()
      await bad.close()
      const admin = new Etcd3({
        hosts: `http://${etcd.endpoint}`,
        auth: { username: 'root', password: root },
      })
      await admin.auth.authDisable()
      admin.close()
    }
  },
)
