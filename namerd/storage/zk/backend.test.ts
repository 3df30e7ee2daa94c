import test from 'ava'
import { createHash } from 'node:crypto'
import zookeeper, { type Client } from 'node-zookeeper-client'
import { readDtab } from '../../../dtabs/index.js'
import { ConfigError, Section } from '../../../lib/config/section.js'
import { errorCode } from '../../../lib/errors.js'
import type { Log } from '../../../lib/log.js'
import { parseKind, registry } from '../../../lib/plugin.js'
import { eventually } from '../../../testing/eventually.js'
import { TcpRelay } from '../../../testing/servers/tcp-relay.js'
import { startZooKeeper, type ZkServer } from '../../../testing/servers/zk-server.js'
import {
  freshNamespace,
  record,
  storeConformance,
  textOf,
} from '../../../testing/namerd/storage-conformance.js'
import { DtabStore } from '../dtab-store.js'
import { StoreUnavailableError } from '../errors.js'
import { ZkBackend, type ZkBackendOptions } from './backend.js'
import { parseZkConfig, zkStorage } from './plugin.js'
import { retireClient } from './socket.js'

const d = readDtab
let server: ZkServer

test.before(async () => {
  server = await startZooKeeper()
})
test.after.always(async () => {
  await server?.cleanup()
})

/** A log that keeps its lines, to check what was (and was not) said. */
function captureLog(): Log & { readonly lines: string[] } {
  const lines: string[] = []
  const at =
    (level: string) =>
    (msg: string, fields?: object): void => {
      lines.push(`${level} ${msg} ${JSON.stringify(fields ?? {})}`)
    }
  return { lines, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') }
}

function backend(options: Partial<ZkBackendOptions> = {}): ZkBackend {
  return new ZkBackend({
    zkAddrs: [{ host: '127.0.0.1', port: server.port }],
    pathPrefix: '/dtabs',
    sessionTimeoutMs: 10_000,
    acls: [],
    log: captureLog(),
    ...options,
  })
}

/** A plain client for checking what the store wrote, and for writing behind its back. */
async function rawClient(port = server.port, auth?: string) {
  const client: Client = zookeeper.createClient(`127.0.0.1:${port}`, { sessionTimeout: 10_000 })
  if (auth !== undefined) client.addAuthInfo('digest', Buffer.from(auth))
  await new Promise<void>((resolve) => {
    client.once('connected', () => resolve())
    client.connect()
  })
  const cb =
    (resolve: () => void, reject: (e: unknown) => void) =>
    (e: unknown): void =>
      e ? reject(e) : resolve()
  return {
    get: (path: string) =>
      new Promise<{ text: string; version: number }>((resolve, reject) =>
        client.getData(path, (e, data, stat) =>
          e ? reject(e) : resolve({ text: data?.toString() ?? '', version: stat.version }),
        ),
      ),
    set: (path: string, text: string) =>
      new Promise<void>((res, rej) => client.setData(path, Buffer.from(text), -1, cb(res, rej))),
    create: (path: string, text: string) =>
      new Promise<void>((res, rej) => client.mkdirp(path, Buffer.from(text), cb(res, rej))),
    remove: (path: string) =>
      new Promise<void>((res, rej) => client.remove(path, -1, cb(res, rej))),
    children: (path: string) =>
      new Promise<string[]>((res, rej) =>
        client.getChildren(path, (e, children) => (e ? rej(e) : res([...children].sort()))),
      ),
    exists: (path: string) =>
      new Promise<boolean>((res, rej) =>
        client.exists(path, (e, stat) => (e ? rej(e) : res(stat !== null))),
      ),
    /** Creates `path` (parents open to all) that anyone may read but nobody may add to. */
    createReadOnly: async (path: string) => {
      const parent = path.slice(0, path.lastIndexOf('/'))
      await new Promise<void>((res, rej) => client.mkdirp(parent, cb(res, rej)))
      const acls = [
        new zookeeper.ACL(zookeeper.Permission.READ, new zookeeper.Id('world', 'anyone')),
      ]
      await new Promise<void>((res, rej) => client.create(path, acls, cb(res, rej)))
    },
    close: () => retireClient(client, 500),
  }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

storeConformance(test, 'io.l5d.zk', async ({ historySize }) => ({
  store: new DtabStore(backend({ historySize })),
  replica: new DtabStore(backend({ historySize })),
}))

test('layout: znode <prefix>/<ns> holds the text, the prefix is created, ETag is stat.version', async (t) => {
  const prefix = `/layout-${process.pid}/deep/dtabs`
  const store = new DtabStore(backend({ pathPrefix: prefix }))
  const raw = await rawClient()
  try {
    const ns = freshNamespace('layout')
    t.is(await store.create(ns, d('/svc=>/#/io.l5d.fs')), 'ok')
    t.deepEqual(await raw.get(`${prefix}/${ns}`), { text: '/svc=>/#/io.l5d.fs', version: 0 })
    const first = await store.get(ns)
    t.is(first.type === 'found' ? first.version : first.type, 'AAAAAA==')

    // Written by someone else: observers see it, with the version as the ETag.
    const obs = store.observe(ns)
    await raw.set(`${prefix}/${ns}`, '/svc=>/#/io.l5d.k8s')
    await eventually('the raw write', () => textOf(obs.get()) === '/svc=>/#/io.l5d.k8s')
    const now = obs.get()
    t.is(now.type === 'found' ? now.version : now.type, 'AAAAAQ==')
    t.is(await store.update(ns, d('/a=>/b'), 'AAAAAQ=='), 'ok')
    t.is((await raw.get(`${prefix}/${ns}`)).version, 2)

    // New, unparsable and deleted namespaces written behind namerd's back.
    const other = freshNamespace('raw')
    await raw.create(`${prefix}/${other}`, 'not a dtab')
    await eventually(
      'the raw namespace listed',
      () => store.observeNames().get()?.includes(other) === true,
    )
    t.is((await store.get(other)).type, 'invalid')
    await raw.remove(`${prefix}/${other}`)
    await eventually('the raw delete', () => store.observe(other).get().type === 'absent')
  } finally {
    await raw.close()
    await store.close()
  }
})

test('authInfo and acls: znodes are protected, NoAuth is ERR_STORE_DENIED, the secret is never logged', async (t) => {
  const secret = `pw-${process.pid}`
  const digest = createHash('sha1').update(`namerd:${secret}`).digest('base64')
  const prefix = `/auth-${process.pid}`
  const log = captureLog()
  const store = new DtabStore(
    backend({
      pathPrefix: prefix,
      authInfo: { scheme: 'digest', auth: `namerd:${secret}` },
      acls: [{ scheme: 'digest', id: `namerd:${digest}`, perms: 'crwda' }],
      log,
    }),
  )
  const stranger = new DtabStore(backend({ pathPrefix: prefix }))
  const raw = await rawClient()
  try {
    const ns = freshNamespace('auth')
    t.is(await store.create(ns, d('/a=>/b')), 'ok')
    t.is(textOf(await store.get(ns)), '/a=>/b')
    const err = await raw.get(`${prefix}/${ns}`).catch((e: unknown) => e)
    t.is((err as zookeeper.Exception).getCode?.(), zookeeper.Exception.NO_AUTH)
    const denied = await stranger.put(ns, d('/a=>/c')).catch((e: unknown) => e)
    t.is(errorCode(denied), 'ERR_STORE_DENIED')
    t.true(log.lines.length > 0)
    t.false(
      log.lines.some((l) => l.includes(secret)),
      'no log line holds the secret',
    )
  } finally {
    await raw.close()
    await Promise.all([store.close(), stranger.close()])
  }
})

test('a namespace namerd may not read is left out; everything else loads', async (t) => {
  const secret = `pw2-${process.pid}`
  const digest = createHash('sha1').update(`namerd:${secret}`).digest('base64')
  const prefix = `/acl-${process.pid}`
  const raw = await rawClient()
  await raw.create(`${prefix}/open`, '/o=>/p')
  const owner = new DtabStore(
    backend({
      pathPrefix: prefix,
      authInfo: { scheme: 'digest', auth: `namerd:${secret}` },
      acls: [{ scheme: 'digest', id: `namerd:${digest}`, perms: 'crwda' }],
    }),
  )
  try {
    t.is(await owner.create('locked', d('/a=>/b')), 'ok')
    const log = captureLog()
    const other = new DtabStore(backend({ pathPrefix: prefix, log }))
    try {
      await eventually('a first complete read despite the unreadable namespace', () => other.loaded)
      t.is(textOf(other.observe('open').get()), '/o=>/p')
      t.is(other.observe('locked').get().type, 'absent')
      await raw.set(`${prefix}/open`, '/o=>/q')
      await eventually('later changes', () => textOf(other.observe('open').get()) === '/o=>/q')
      t.is(log.lines.filter((l) => l.includes('denies')).length, 1, 'logged once')
    } finally {
      await other.close()
    }
  } finally {
    await raw.close()
    await owner.close()
  }
})

test('a namespace deleted by someone else right after our own write is seen as deleted', async (t) => {
  const prefix = `/race-${process.pid}`
  const store = new DtabStore(backend({ pathPrefix: prefix }))
  const raw = await rawClient()
  try {
    await eventually('the first read', () => store.loaded)
    const names = Array.from({ length: 10 }, (_, i) => `race${i}`)
    for (const ns of names) {
      t.is(await store.create(ns, d('/a=>/b')), 'ok')
      await raw.remove(`${prefix}/${ns}`)
    }
    await eventually('every deletion', () =>
      names.every((ns) => store.observe(ns).get().type === 'absent'),
    )
    t.deepEqual(store.observeNames().get(), [])
  } finally {
    await raw.close()
    await store.close()
  }
})

test('close releases every socket, even while the server does not answer', async (t) => {
  const relay = await TcpRelay.start(server.port)
  try {
    const store = new DtabStore(backend({ zkAddrs: [{ host: '127.0.0.1', port: relay.port }] }))
    await eventually('connected', () => store.reachable)
    relay.block()
    await eventually('a held reconnection', () => relay.connections > 0)
    await store.close()
    await eventually('no socket left', () => relay.connections === 0)
    t.pass()
  } finally {
    await relay.close()
  }
})

test.serial(
  'session expiry: a new session re-reads everything; nothing missed, nothing bogus',
  async (t) => {
    const relay = await TcpRelay.start(server.port)
    const log = captureLog()
    const sessionTimeoutMs = 1000
    const store = new DtabStore(
      backend({ zkAddrs: [{ host: '127.0.0.1', port: relay.port }], sessionTimeoutMs, log }),
    )
    const raw = await rawClient()
    const ns = freshNamespace('expiry')
    try {
      t.is(await store.create(ns, d('/v=>/1')), 'ok')
      const obs = store.observe(ns)
      await eventually('the first value', () => textOf(obs.get()) === '/v=>/1')
      const rec = record(obs)

      relay.block()
      await eventually('unreachable', () => !store.reachable)
      const write = await store.put(ns, d('/v=>/lost')).catch((e: unknown) => e)
      t.true(write instanceof StoreUnavailableError, 'writes fail fast while cut off')
      t.is(textOf(await store.get(ns)), '/v=>/1', 'reads answer the last known dtab')
      await raw.set(`/dtabs/${ns}`, '/v=>/2')
      // Long enough for the server to expire the session (timeout + ticks).
      await sleep(sessionTimeoutMs * 3)
      relay.unblock()

      await eventually('the update made meanwhile', () => textOf(obs.get()) === '/v=>/2', 20_000)
      t.true(
        log.lines.some((l) => l.includes('session expired')),
        'a new session was opened',
      )
      t.true(
        log.lines.some((l) => l.includes('handshake unanswered')),
        'the watchdog fired',
      )
      const s = await store.get(ns)
      t.is(s.type === 'found' ? await store.update(ns, d('/v=>/3'), s.version) : s.type, 'ok')
      await raw.set(`/dtabs/${ns}`, '/v=>/4')
      await eventually('watches re-armed', () => textOf(obs.get()) === '/v=>/4')
      rec.stop()
      const seen = rec.seen.map(textOf)
      t.false(
        seen.some((x) => x.startsWith('<')),
        `never absent, pending or invalid: ${seen}`,
      )
    } finally {
      await raw.close()
      await store.close()
      await relay.close()
    }
  },
)

test.serial(
  'ZooKeeper killed and restarted: stale reads, fast 503s, then updates flow again',
  async (t) => {
    const store = new DtabStore(backend())
    const ns = freshNamespace('restart')
    let down = false
    try {
      t.is(await store.create(ns, d('/v=>/1')), 'ok')
      const obs = store.observe(ns)
      // The first snapshot is in: the list is known too.
      await eventually(
        'the first snapshot',
        () => store.observeNames().get()?.includes(ns) === true,
      )
      down = true
      await server.kill()
      await eventually('unreachable', () => !store.reachable)
      t.is(textOf(await store.get(ns)), '/v=>/1', 'reads keep answering')
      t.true((await store.list()).includes(ns), 'list answers the last known names')
      const write = await store.put(ns, d('/v=>/x')).catch((e: unknown) => e)
      t.true(write instanceof StoreUnavailableError, 'writes fail with StoreUnavailableError')
      await server.start()
      down = false
      const raw = await rawClient()
      try {
        await raw.set(`/dtabs/${ns}`, '/v=>/2')
        await eventually('the update after restart', () => textOf(obs.get()) === '/v=>/2', 20_000)
        await eventually('reachable', () => store.reachable)
        t.is(await store.put(ns, d('/v=>/3')), 'ok')
        t.is((await raw.get(`/dtabs/${ns}`)).text, '/v=>/3')
      } finally {
        await raw.close()
      }
    } finally {
      // Leave the server up for the other tests, whatever happened here.
      if (down) await server.start()
      await store.close()
    }
  },
)

const parse = (raw: object) => parseKind(registry(zkStorage), new Section(raw, 'storage'))

test('config: defaults, linkerd key names, and located errors', (t) => {
  t.notThrows(() => parse({ kind: 'io.l5d.zk', zkAddrs: [{ host: 'zk1' }] }))
  t.deepEqual(parseZkConfig(new Section({ zkAddrs: [{ host: 'zk1' }] }, 'storage')), {
    zkAddrs: [{ host: 'zk1', port: 2181 }],
    pathPrefix: '/dtabs',
    sessionTimeoutMs: 10_000,
    acls: [{ scheme: 'world', id: 'anyone', perms: 'crwda' }],
  })
  const full = {
    kind: 'io.l5d.zk',
    zkAddrs: [{ host: 'zk1', port: 2182 }, { host: '10.0.0.2' }],
    pathPrefix: '/namerd/dtabs/',
    sessionTimeoutMs: 5000,
    authInfo: { scheme: 'digest', auth: 'u:secret' },
    acls: [{ scheme: 'world', id: 'anyone', perms: 'r' }],
  }
  t.notThrows(() => parse(full))
  const keys: Partial<typeof full> = { ...full }
  delete keys.kind
  t.deepEqual(parseZkConfig(new Section(keys, 'storage')), {
    ...keys,
    zkAddrs: [
      { host: 'zk1', port: 2182 },
      { host: '10.0.0.2', port: 2181 },
    ],
    pathPrefix: '/namerd/dtabs',
  })
  const fails = (raw: object, where: string): void => {
    const e = t.throws(() => parse({ kind: 'io.l5d.zk', ...raw }), { instanceOf: ConfigError })
    t.true(e?.message.startsWith(where), `${e?.message} starts with ${where}`)
    t.false(e?.message.includes('secret'), 'never shows the secret')
  }
  fails({}, 'storage.zkAddrs: required')
  fails({ zkAddrs: [] }, 'storage.zkAddrs')
  fails({ zkAddrs: [{ host: 'a', prot: 1 }] }, 'storage.zkAddrs[0]: unknown key(s): prot')
  fails({ zkAddrs: [{ host: 'a', port: 70000 }] }, 'storage.zkAddrs[0].port')
  const acl = { scheme: 'world', id: 'anyone' }
  fails({ zkAddrs: [{ host: 'a' }], acls: [{ ...acl, perms: 'rwx' }] }, 'storage.acls[0].perms')
  fails({ zkAddrs: [{ host: 'a' }], pathPrefix: 'dtabs' }, 'storage.pathPrefix')
  fails({ zkAddrs: [{ host: 'a' }], pathPrefix: '/' }, 'storage.pathPrefix')
  fails(
    { zkAddrs: [{ host: 'a' }], authInfo: { scheme: 'digest', auth: 7 } },
    'storage.authInfo.auth',
  )
  fails(
    { zkAddrs: [{ host: 'a' }], authInfo: { scheme: 'digest', auth: 'secret', x: 1 } },
    'storage.authInfo',
  )
  fails({ zkAddrs: [{ host: 'a' }], zkAddr: 'x' }, 'storage: unknown key(s): zkAddr')
})

test('history layout: a JSON znode per change under <prefix>.history/<ns>, ordered by its change, never a namespace', async (t) => {
  const prefix = `/hist-${process.pid}`
  const b = backend({ pathPrefix: prefix })
  const raw = await rawClient()
  try {
    const ns = freshNamespace('hist')
    const made = await b.create(ns, '/a=>/b', { at: 1000, by: 'alice', message: 'hi' })
    t.is(made.type, 'ok')
    t.is((await b.delete(ns, { at: 2000 })).type, 'ok')
    const dir = `${prefix}.history/${ns}`
    t.deepEqual(await raw.children(dir), ['e-0000000000', 'e-0000000001'])
    t.deepEqual(JSON.parse((await raw.get(`${dir}/e-0000000000`)).text), {
      version: 'AAAAAA==',
      text: '/a=>/b',
      at: 1000,
      by: 'alice',
      message: 'hi',
    })
    t.deepEqual(JSON.parse((await raw.get(`${dir}/e-0000000001`)).text), {
      version: 'AAAAAA==',
      at: 2000,
    })
    const history = await b.history(ns)
    t.is(history[0]?.rev, made.type === 'ok' ? made.stored.rev : -1n, "the change's zxid")
    t.true((await raw.children('/')).includes(`hist-${process.pid}.history`), 'a sibling')
    t.is((await b.create(ns, '/c=>/d', { at: 3000 })).type, 'ok')
    t.deepEqual(await b.list(), [ns], 'the history is not a namespace')
  } finally {
    await raw.close()
    await b.close()
  }
})

test('a change and its history entry are one: no change when the entry is refused, none too large', async (t) => {
  const prefix = `/atomic-${process.pid}`
  const log = captureLog()
  const store = new DtabStore(backend({ pathPrefix: prefix, log }))
  const raw = await rawClient()
  try {
    const ns = freshNamespace('atomic')
    await raw.createReadOnly(`${prefix}.history/${ns}`)
    const denied = await store.create(ns, d('/a=>/b')).catch((e: unknown) => e)
    t.is(errorCode(denied), 'ERR_STORE_DENIED')
    t.false(await raw.exists(`${prefix}/${ns}`), 'no dtab without its history entry')

    // ZooKeeper drops the connection of a client sending over 1 MB: refused before it is sent.
    const other = freshNamespace('big')
    const big = `/a=>/${'x'.repeat(600 * 1024)}`
    const tooLarge = await store.put(other, d(big)).catch((e: unknown) => e)
    t.is(errorCode(tooLarge), 'ERR_STORE_VALUE_TOO_LARGE')
    t.false(await raw.exists(`${prefix}/${other}`))
    const large = `/a=>/${'x'.repeat(400 * 1024)}`
    t.is(await store.put(other, d(large)), 'ok')
    t.is((await store.history(other))[0]?.text, large)
    t.true(store.reachable)
    t.false(
      log.lines.some((l) => l.includes('disconnected')),
      'the connection was never dropped',
    )
  } finally {
    await raw.close()
    await store.close()
  }
})

test('history: corrupt entries are left out and logged; other children are ignored', async (t) => {
  const prefix = `/corrupt-${process.pid}`
  const log = captureLog()
  const store = new DtabStore(backend({ pathPrefix: prefix, log }))
  const raw = await rawClient()
  try {
    const ns = freshNamespace('corrupt')
    t.is(await store.create(ns, d('/v=>/1')), 'ok')
    const dir = `${prefix}.history/${ns}`
    await raw.create(`${dir}/e-0000000007`, 'not json')
    await raw.create(`${dir}/e-0000000008`, '{"version":"AAAAAA==","at":"yesterday"}')
    await raw.create(`${dir}/e-0000000009`, '{"version":"\\"AAAAAA==\\"","at":1}')
    await raw.create(`${dir}/notes`, '{"version":"AAAAAA==","at":1}')
    const s = await store.get(ns)
    t.is(s.type === 'found' ? await store.update(ns, d('/v=>/2'), s.version) : s.type, 'ok')
    const history = await store.history(ns)
    t.deepEqual(
      history.map((e) => e.text),
      ['/v=>/1', '/v=>/2'],
    )
    t.true((history[1]?.rev ?? 0n) > (history[0]?.rev ?? 0n))
    t.is(log.lines.filter((l) => l.includes('history entry is corrupt')).length, 3)
  } finally {
    await raw.close()
    await store.close()
  }
})

test('a smaller historySize reads only the newest entries at once; the next write trims the rest', async (t) => {
  const prefix = `/trim-${process.pid}`
  const ns = freshNamespace('trim')
  const first = backend({ pathPrefix: prefix, historySize: 10 })
  for (let i = 1; i <= 5; i++) await first.put(ns, `/v=>/${i}`, { at: i })
  await first.close()
  const raw = await rawClient()
  const second = backend({ pathPrefix: prefix, historySize: 2 })
  try {
    const texts = async (): Promise<string> =>
      (await second.history(ns)).map((e) => e.text).join(' ')
    t.is(await texts(), '/v=>/4 /v=>/5')
    t.is((await raw.children(`${prefix}.history/${ns}`)).length, 5, 'reading trims nothing')
    await second.put(ns, '/v=>/6', { at: 6 })
    const dir = `${prefix}.history/${ns}`
    await eventually('trimmed', async () => (await raw.children(dir)).length === 2)
    t.is(await texts(), '/v=>/5 /v=>/6')
  } finally {
    await raw.close()
    await second.close()
  }
})

test.serial('history survives closing the backend and a restart of ZooKeeper', async (t) => {
  const ns = freshNamespace('durable')
  const before = backend()
  t.is((await before.create(ns, '/v=>/1', { at: 1, by: 'alice' })).type, 'ok')
  t.is((await before.put(ns, '/v=>/2', { at: 2, message: 'two' })).type, 'ok')
  t.is((await before.delete(ns, { at: 3 })).type, 'ok')
  const written = await before.history(ns)
  await before.close()
  t.is(written.length, 3)
  await server.restart()
  const after = backend()
  try {
    t.deepEqual(await after.history(ns), written)
    t.is((await after.create(ns, '/v=>/3', { at: 4 })).type, 'ok')
    const now = await after.history(ns)
    t.deepEqual(now.slice(0, 3), written, 'a re-created namespace continues its history')
    t.like(now[3], { text: '/v=>/3', version: 'AAAAAA==', at: 4 })
    t.true((now[3]?.rev ?? 0n) > (written[2]?.rev ?? 0n))
  } finally {
    await after.close()
  }
})
