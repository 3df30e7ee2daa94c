/**
 * NamerdInterpreter when things go wrong, against a real in-process namerd: namerd stopped and
 * restarted on the same port, namerd's error lines, and delegate's failures.
 */
import test from 'ava'
import { EMPTY_DTAB, readDtab, readPath, showDtab } from '../../dtabs/index.js'
import { eventually } from '../../testing/eventually.js'
import { stalledReason } from '../../router/model.js'
import { lateNamer, shown, until } from '../../testing/router/interpreters.js'
import { inet, interpreterFor, startNamerd, streamsOf } from '../../testing/namerd/in-process.js'

const SLOW = 10_000

test('namerd down: bound names keep their tree, new ones stall with ERR_NAMERD_UNREACHABLE; back: catch up', async (t) => {
  const namerd = await startNamerd(t, { default: `/svc => ${inet(9001)}` })
  const retry = { baseMs: 50, maxMs: 200 }
  const { interp, counts, logs } = interpreterFor(t, namerd, { retry })
  const users = interp.bind(EMPTY_DTAB, readPath('/svc/users'))
  t.teardown(users.subscribe(() => undefined))
  await until(users, `ok ${inet(9001)}`, SLOW)
  const before = users.get()
  t.deepEqual(interp.health(), { streams: 2, disconnected: 0, lagMs: 0 })

  await namerd.stop()
  await eventually('retrying', () => streamsOf(interp, 'bind')[0]?.state === 'retrying')
  t.is(users.get(), before, 'the last tree stays')
  t.truthy(streamsOf(interp, 'bind')[0]?.lastError)
  await eventually('lagging', () => interp.health().lagMs > 0)
  t.like(interp.health(), { streams: 2, disconnected: 2 })
  t.true(counts.reconnects >= 2)

  const fresh = interp.bind(EMPTY_DTAB, readPath('/svc/x'))
  t.teardown(fresh.subscribe(() => undefined))
  t.is(shown(fresh.get()), 'pending')
  await eventually('a failed attempt', () => stalledReason(fresh, '/svc/x') !== undefined)
  const why = stalledReason(fresh, '/svc/x')
  t.like(why, { code: 'ERR_NAMERD_UNREACHABLE' })
  t.regex(
    why?.message ?? '',
    new RegExp(`namerd at ${namerd.host} is unreachable while binding /svc/x`),
  )
  t.is(stalledReason(users, '/svc/users'), undefined, 'a delivered binding is not stalled')

  await namerd.setDtab(`/svc => ${inet(9002)}`)
  await namerd.start()
  await until(users, `ok ${inet(9002)}`, SLOW)
  await until(fresh, `ok ${inet(9002)}`, SLOW)
  await eventually('every stream connected', () => interp.health().disconnected === 0)
  t.deepEqual(interp.health(), { streams: 3, disconnected: 0, lagMs: 0 })
  // One line when namerd went away and one when it came back, however many retries between.
  t.is(logs.length, 2, logs.join('\n'))
  t.regex(
    logs[0] ?? '',
    new RegExp(`^namerd at ${namerd.host} is unreachable \\(.+\\); names keep`),
  )
  t.is(logs[1], `namerd at ${namerd.host} is reachable again`)
})

test("a namerd error line fails the binding with namerd's message; a fixed dtab brings it back", async (t) => {
  const namerd = await startNamerd(t, { default: `/svc => ${inet(9001)}` })
  const { interp } = interpreterFor(t, namerd)
  const users = interp.bind(EMPTY_DTAB, readPath('/svc/users'))
  t.teardown(users.subscribe(() => undefined))
  await until(users, `ok ${inet(9001)}`, SLOW)
  const loop =
    'failed: namerd: Max recursion level: 100 reached in Namer lookup (does the dtab loop?) (ERR_MAX_DEPTH)'

  await namerd.setDtab('/svc => /svc/x')
  await until(users, loop, SLOW)
  const late = interp.bind(EMPTY_DTAB, readPath('/svc/late'))
  t.teardown(late.subscribe(() => undefined))
  await until(late, loop, SLOW)
  t.is(stalledReason(late, '/svc/late'), undefined, 'failed, not stalled')

  await namerd.setDtab(`/svc => ${inet(9001)}`)
  await until(users, `ok ${inet(9001)}`, SLOW)
  await until(late, `ok ${inet(9001)}`, SLOW)
  t.like(streamsOf(interp, 'bind')[1], { path: '/svc/users', state: 'open', updates: 2 })
})

test("delegate: namerd's JSON; namerd down: ERR_NAMERD_UNREACHABLE; namerd 4xx/5xx: ERR_BIND_FAILED", async (t) => {
  const namerd = await startNamerd(t, {
    default: `/svc => ${inet(9001)}`,
    loops: '/svc => /svc/x',
  })
  const routerDtab = readDtab(`/svc/users => ${inet(9002)}`)
  const { interp } = interpreterFor(t, namerd, { routerDtab })
  const local = readDtab(`/svc/users => /$/nope | ${inet(9003)}`)
  const sent = encodeURIComponent(`${showDtab(routerDtab)};${showDtab(local)}`)
  const direct = (await (
    await fetch(`${namerd.base}/api/1/delegate/default?path=/svc/users&dtab=${sent}`)
  ).json()) as unknown
  t.like(direct, { type: 'alt', path: '/svc/users' })
  t.deepEqual(await interp.delegate(local, readPath('/svc/users')), direct)

  const loops = interpreterFor(t, namerd, { namespace: 'loops' }).interp
  const status5xx = await t.throwsAsync(loops.delegate(EMPTY_DTAB, readPath('/svc/a')))
  t.like(status5xx, { code: 'ERR_BIND_FAILED' })
  t.regex(status5xx?.message ?? '', /^namerd answered 502: Max recursion level: 100/)
  const invalid = interpreterFor(t, namerd, { namespace: 'no spaces' }).interp
  const status4xx = await t.throwsAsync(invalid.delegate(EMPTY_DTAB, readPath('/svc/a')))
  t.like(status4xx, { code: 'ERR_BIND_FAILED' })
  t.regex(status4xx?.message ?? '', /^namerd answered 400: invalid namespace "no spaces"/)

  await namerd.stop()
  const down = await t.throwsAsync(interp.delegate(local, readPath('/svc/users')))
  t.like(down, { code: 'ERR_NAMERD_UNREACHABLE' })
  // A kept-alive connection namerd just dropped may say `other side closed` instead of ECONNREFUSED.
  t.regex(down?.message ?? '', new RegExp(`^namerd at ${namerd.host} is unreachable: .+`))
})

test('namerd back with nothing to send yet (a namer still pending): connected, not lagging, not unreachable', async (t) => {
  const late = lateNamer()
  const namerd = await startNamerd(
    t,
    { default: `/svc => ${inet(9001)}; /slow => /#/late` },
    { extraNamers: [late.mounted] },
  )
  const { interp } = interpreterFor(t, namerd)
  const slow = interp.bind(EMPTY_DTAB, readPath('/slow/x'))
  t.teardown(slow.subscribe(() => undefined))
  await eventually('the bind stream open', () => streamsOf(interp, 'bind')[0]?.state === 'open')
  await namerd.stop()
  await eventually('retrying', () => streamsOf(interp, 'bind')[0]?.state === 'retrying')
  await eventually('unreachable', () => stalledReason(slow, '/slow/x') !== undefined)
  await namerd.start()
  await eventually(
    'reconnected, and the dtab stream caught up',
    () =>
      streamsOf(interp, 'bind')[0]?.state === 'open' &&
      streamsOf(interp, 'dtab')[0]?.attempts === 0,
  )
  t.is(shown(slow.get()), 'pending')
  t.deepEqual(interp.health(), { streams: 2, disconnected: 0, lagMs: 0 })
  t.is(stalledReason(slow, '/slow/x'), undefined, 'namerd answers: it is not unreachable')
  // The namer answers (a name namerd has no namer for): namerd sends the binding at last.
  late.release()
  await until(slow, 'ok ~', SLOW)
})
