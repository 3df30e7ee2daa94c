/**
 * NamerdInterpreter against a real in-process namerd (memory store, the `/$/inet` namer): what
 * it binds and sends, how it follows changes, and how it shares, releases and closes its
 * streams. (interpreter-failures.test.ts: namerd down, namerd's errors, delegate.)
 */
import test from 'ava'
import { EMPTY_DTAB, readDtab, readPath, showDtab } from '../../dtabs/index.js'
import { eventually } from '../../testing/eventually.js'
import { shown, until } from '../../testing/router/interpreters.js'
import {
  inet,
  interpreterFor,
  leaves,
  okTree,
  startNamerd,
  streamsOf,
} from '../../testing/namerd/in-process.js'

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))
const SLOW = 10_000

test("bind: namerd's tree (ids, union weights); leaves already carry their addresses", async (t) => {
  const namerd = await startNamerd(t, {
    default: `/svc => 3 * ${inet(9001)} & 1 * ${inet(9002)}`,
  })
  const { interp } = interpreterFor(t, namerd)
  const users = interp.bind(EMPTY_DTAB, readPath('/svc/users'))
  t.is(shown(users.get()), 'pending')
  t.teardown(users.subscribe(() => undefined))
  await until(users, `ok 3.00*${inet(9001)} & ${inet(9002)}`, SLOW)

  const tree = okTree(users.get())
  const weights = tree.type === 'union' ? tree.trees.map((w) => w.weight) : tree.type
  t.deepEqual(weights, [3, 1])
  const [a, b] = leaves(tree)
  t.deepEqual(a?.bound.path, ['users'], 'the residual after the bound id')
  t.is(namerd.requests('addr'), 0, 'no addr stream yet: nobody observes the addresses')
  t.deepEqual(streamsOf(interp, 'addr'), [])
  t.like(a?.bound.addr.get(), { type: 'bound', addrs: [{ host: '127.0.0.1', port: 9001 }] })
  t.like(b?.bound.addr.get(), { type: 'bound', addrs: [{ host: '127.0.0.1', port: 9002 }] })

  t.teardown(a?.bound.addr.subscribe(() => undefined) ?? (() => undefined))
  await eventually('the addr stream delivered', () => streamsOf(interp, 'addr')[0]?.updates === 1)
  t.like(streamsOf(interp, 'addr')[0], { path: inet(9001), state: 'open', observers: 1 })
  t.like(a?.bound.addr.get(), { type: 'bound', addrs: [{ host: '127.0.0.1', port: 9001 }] })
  t.is(namerd.requests('addr'), 1)
})

test('a dtab change reaches a subscribed binding; an unchanged tree is not published again', async (t) => {
  const namerd = await startNamerd(t, { default: `/svc => ${inet(9001)}` })
  const { interp } = interpreterFor(t, namerd)
  const users = interp.bind(EMPTY_DTAB, readPath('/svc/users'))
  const heard: string[] = []
  t.teardown(users.subscribe((s) => heard.push(shown(s))))
  await until(users, `ok ${inet(9001)}`, SLOW)
  await namerd.setDtab(`/svc => ${inet(9002)}`)
  await until(users, `ok ${inet(9002)}`, SLOW)
  const latest = users.get()

  // The same tree for /svc/users: namerd recomputes it and does not send it again.
  await namerd.setDtab(`/svc => ${inet(9002)}; /other => ${inet(9003)}`)
  await eventually('the new dtab seen', () => showDtab(interp.baseDtab()).includes('/other'))
  // After a reconnection namerd sends the current tree first; the interpreter drops it.
  await namerd.stop()
  await eventually('retrying', () => streamsOf(interp, 'bind')[0]?.state === 'retrying')
  await namerd.start()
  await eventually(
    'reconnected, and the current tree received',
    () =>
      namerd.requests('bind') === 2 &&
      streamsOf(interp, 'bind')[0]?.state === 'open' &&
      streamsOf(interp, 'bind')[0]?.attempts === 0,
  )
  await sleep(100)
  t.deepEqual(heard, [`ok ${inet(9001)}`, `ok ${inet(9002)}`])
  t.is(users.get(), latest, 'the same tree object: nothing was published')
  t.is(streamsOf(interp, 'bind')[0]?.updates, 2)
})

test('the router dtab and the override are sent to namerd: override last, router dtab before it', async (t) => {
  const namerd = await startNamerd(t, { default: `/svc => ${inet(9001)}` })
  const routerDtab = readDtab(`/svc/users => ${inet(9002)}`)
  const { interp } = interpreterFor(t, namerd, { routerDtab })
  const viaRouter = interp.bind(EMPTY_DTAB, readPath('/svc/users'))
  const local = readDtab(`/svc/users => ${inet(9003)}`)
  const overridden = interp.bind(local, readPath('/svc/users'))
  const other = interp.bind(EMPTY_DTAB, readPath('/svc/billing'))
  for (const b of [viaRouter, overridden, other]) t.teardown(b.subscribe(() => undefined))
  await until(viaRouter, `ok ${inet(9002)}`, SLOW)
  await until(overridden, `ok ${inet(9003)}`, SLOW)
  await until(other, `ok ${inet(9001)}`, SLOW)
  t.deepEqual(
    streamsOf(interp, 'bind').map((s) => [s.path, s.dtab]),
    [
      ['/svc/billing', showDtab(routerDtab)],
      ['/svc/users', showDtab(routerDtab)],
      ['/svc/users', `${showDtab(routerDtab)};${showDtab(local)}`],
    ],
  )
})

test('a binding shares one stream among its observers, and ids share address streams', async (t) => {
  const namerd = await startNamerd(t, { default: `/svc => ${inet(9001)}` })
  const { interp } = interpreterFor(t, namerd)
  const a = interp.bind(EMPTY_DTAB, readPath('/svc/a'))
  // Requests share a binding through the router's binding cache (router/core/bindings.ts).
  t.not(interp.bind(EMPTY_DTAB, readPath('/svc/a')), a, 'the interpreter itself keeps none')
  const b = interp.bind(EMPTY_DTAB, readPath('/svc/b'))
  for (const binding of [a, a, b, b]) t.teardown(binding.subscribe(() => undefined))
  await until(a, `ok ${inet(9001)}`, SLOW)
  await until(b, `ok ${inet(9001)}`, SLOW)

  const [leafA] = leaves(okTree(a.get()))
  const [leafB] = leaves(okTree(b.get()))
  t.is(leafA?.bound.addr, leafB?.bound.addr, 'one address Var per bound id')
  for (const leaf of [leafA, leafB]) {
    t.teardown(leaf?.bound.addr.subscribe(() => undefined) ?? (() => undefined))
  }
  await eventually('the addr stream open', () => streamsOf(interp, 'addr')[0]?.state === 'open')
  t.deepEqual(
    interp.state().streams.map((s) => [s.kind, s.path, s.observers]),
    [
      ['dtab', undefined, 1],
      ['bind', '/svc/a', 2],
      ['bind', '/svc/b', 2],
      ['addr', inet(9001), 2],
    ],
  )
  t.deepEqual(
    ['dtabs', 'bind', 'addr'].map((r) => namerd.requests(r)),
    [1, 2, 1],
  )
  t.is(namerd.openSockets(), 4)
})

test('idle release: streams close lingerMs after the last observer; back within it, no reconnection', async (t) => {
  const namerd = await startNamerd(t, { default: `/svc => ${inet(9001)}` })
  const { interp } = interpreterFor(t, namerd, { lingerMs: 1000 })
  const users = interp.bind(EMPTY_DTAB, readPath('/svc/users'))
  let stop = users.subscribe(() => undefined)
  await until(users, `ok ${inet(9001)}`, SLOW)
  const addr = leaves(okTree(users.get()))[0]?.bound.addr
  let stopAddr = addr?.subscribe(() => undefined)
  await eventually('the addr stream open', () => streamsOf(interp, 'addr')[0]?.state === 'open')
  const opened = streamsOf(interp, 'bind')[0]?.since

  stop()
  stopAddr?.()
  t.is(streamsOf(interp, 'bind').length, 1, 'still running: lingering')
  await sleep(100)
  stop = users.subscribe(() => undefined)
  stopAddr = addr?.subscribe(() => undefined)
  t.like(streamsOf(interp, 'bind')[0], { state: 'open', since: opened, observers: 1 })
  t.is(namerd.requests('bind'), 1, 'no reconnection')
  t.is(namerd.requests('addr'), 1)

  stop()
  stopAddr?.()
  await eventually(
    'bind and addr streams closed',
    () => interp.state().streams.length === 1 && namerd.openSockets() === 1,
  )
  t.deepEqual(
    interp.state().streams.map((s) => s.kind),
    ['dtab'],
  )
  t.is(shown(users.get()), 'pending', 'an idle value may be stale: it is set aside')
  t.is(interp.health().streams, 1)
})

test("baseDtab: the router dtab until namerd sends its own, then namerd's ++ the router's", async (t) => {
  const namerd = await startNamerd(t, { default: `/svc => ${inet(9001)}` })
  const routerDtab = readDtab(`/svc/users => ${inet(9002)}`)
  const { interp } = interpreterFor(t, namerd, { routerDtab })
  t.is(showDtab(interp.baseDtab()), showDtab(routerDtab))
  const both = `/svc=>${inet(9001)};/svc/users=>${inet(9002)}`
  await eventually("namerd's dtab", () => showDtab(interp.baseDtab()) === both)
  await namerd.setDtab(`/svc => ${inet(9003)}`)
  await eventually('the change', () =>
    showDtab(interp.baseDtab()).startsWith(`/svc=>${inet(9003)};`),
  )
  t.is(showDtab(interp.baseDtab()), `/svc=>${inet(9003)};/svc/users=>${inet(9002)}`)
})

test('close(): every stream closed on both sides; a binding made after close opens nothing', async (t) => {
  const namerd = await startNamerd(t, { default: `/svc => ${inet(9001)}` })
  const { interp } = interpreterFor(t, namerd)
  const users = interp.bind(EMPTY_DTAB, readPath('/svc/users'))
  t.teardown(users.subscribe(() => undefined))
  await until(users, `ok ${inet(9001)}`, SLOW)
  const addr = leaves(okTree(users.get()))[0]?.bound.addr
  t.teardown(addr?.subscribe(() => undefined) ?? (() => undefined))
  await eventually('three streams open at namerd', () => namerd.openSockets() === 3)

  interp.close()
  interp.close()
  await eventually('no socket left at namerd', () => namerd.openSockets() === 0)
  t.deepEqual(interp.state().streams, [])
  t.deepEqual(interp.health(), { streams: 0, disconnected: 0, lagMs: 0 })

  const requests = namerd.requests()
  const after = interp.bind(EMPTY_DTAB, readPath('/svc/after'))
  t.teardown(after.subscribe(() => undefined))
  await sleep(300)
  t.is(shown(after.get()), 'pending')
  t.is(namerd.requests(), requests, 'no request to namerd after close')
  t.is(namerd.openSockets(), 0)
  t.deepEqual(interp.state().streams, [])
})
