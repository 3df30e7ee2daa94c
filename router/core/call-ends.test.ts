/**
 * Every call ends exactly once, whichever way it goes, and gives back what it took: its place
 * under `maxConcurrentRequests`, its count in flight and pending, its client's attempt, its
 * timers and waits. The routing core with the in-memory transport (testing/router/core.ts).
 */
import test from 'ava'
import { servicePolicy } from './service-policy.js'
import { Call } from './call.js'
import { ClientClosedError } from './failures.js'
import { lateNamer } from '../../testing/router/interpreters.js'
import { coreRouter, Collector, request, slowAddressNamer } from '../../testing/router/core.js'

const DTAB = '/svc => /#/io.l5d.fs; /svc/late => /#/late; /svc/slow => /#/slow/users'
const okReply = () => ({ status: 200, headers: ['content-length', '2'], body: 'ok' })
const tick = (ms = 20) => new Promise((resolve) => setTimeout(resolve, ms))

for (const totalTimeoutMs of [undefined, 5_000]) {
  test(`a call that fails before it is sent gives its maxConcurrentRequests place back (totalTimeoutMs ${totalTimeoutMs})`, async (t) => {
    const r = coreRouter(DTAB, okReply, {
      policyFor: () => servicePolicy(totalTimeoutMs === undefined ? {} : { totalTimeoutMs }),
    })
    t.teardown(() => r.router.close())
    const server = { ...r.server, maxConcurrentRequests: 1, active: 0 }
    t.is((await r.call(request(['Host', 'nobody']), server)).status, 502)
    t.is((await r.call(request([]), server)).status, 400)
    t.is(server.active, 0, 'the places are given back with the error answers')
    t.is((await r.call(request(), server)).status, 200, 'the next call is admitted')
  })
}

test('an upstream that throws when dispatched ends the attempt: client pending 0, balancer released', async (t) => {
  const r = coreRouter(
    DTAB,
    () => {
      throw new Error('cannot send')
    },
    { attemptTimeoutFor: () => 5_000 },
  )
  t.teardown(() => r.router.close())
  const answer = await r.call()
  t.is(answer.status, 502)
  t.like(r.stats.client('/#/io.l5d.fs/users'), { requests: 1, failures: 1, pending: 0 })
  t.like(r.server.stats, { requests: 1, failures: 1, pending: 0 })
})

test('a client that leaves while its name is still binding ends the call at once, sending nothing', async (t) => {
  const late = lateNamer()
  const r = coreRouter(DTAB, okReply, { bindingTimeoutMs: 60_000 }, [late.mounted])
  t.teardown(() => r.router.close())
  const server = { ...r.server, maxConcurrentRequests: 1, active: 0 }
  const collector = new Collector()
  r.router.route(new Call(request(['Host', 'late']), server, '1.1'), collector)
  await tick()
  t.not(collector.abort, undefined, 'the client can end the call while it waits')
  collector.abort?.(new ClientClosedError())
  await Promise.race([collector.done, tick(1000)])
  t.true(collector.error instanceof ClientClosedError)
  t.is(r.router.inFlight, 0)
  t.is(server.active, 0)
  t.like(r.server.stats, { requests: 1, failures: 1, pending: 0 })
  t.like(r.stats.service('/svc/late'), { requests: 1, failures: 1, pending: 0 })
  late.release()
  await tick()
  t.is(r.sent.length, 0, 'nothing is sent for a client that left')
})

test('a client that leaves while the addresses are pending ends the call at once, sending nothing', async (t) => {
  const slow = slowAddressNamer()
  const r = coreRouter(DTAB, okReply, { bindingTimeoutMs: 60_000 }, [slow.mounted])
  t.teardown(() => r.router.close())
  const collector = new Collector()
  r.router.route(new Call(request(['Host', 'slow']), r.server, '1.1'), collector)
  await tick()
  collector.abort?.(new ClientClosedError())
  await Promise.race([collector.done, tick(1000)])
  t.true(collector.error instanceof ClientClosedError)
  t.is(r.router.inFlight, 0)
  t.like(r.server.stats, { requests: 1, failures: 1, pending: 0 })
  slow.release()
  await tick()
  t.is(r.sent.length, 0, 'nothing is sent for a client that left')
})

test('a total timeout while the addresses are pending ends the wait: nothing is sent after the answer', async (t) => {
  const slow = slowAddressNamer()
  const r = coreRouter(DTAB, okReply, { policyFor: () => servicePolicy({ totalTimeoutMs: 30 }) }, [
    slow.mounted,
  ])
  t.teardown(() => r.router.close())
  const answer = await r.call(request(['Host', 'slow']))
  t.is(answer.status, 503)
  slow.release()
  await tick()
  t.is(r.sent.length, 0, 'the call was answered: it is not sent any more')
  t.like(r.stats.client('/#/slow/users'), { requests: 0, failures: 0, pending: 0 })
})

test('every way a call ends brings pending, in flight and its place back to 0', async (t) => {
  const late = lateNamer()
  const slow = slowAddressNamer()
  const r = coreRouter(
    `${DTAB}; /svc/hang => /#/io.l5d.fs/users-v2; /svc/down => /#/io.l5d.fs/billing-zone-b`,
    (_req, endpoint) => {
      if (endpoint === '127.0.0.1:9101') return 'hang'
      if (endpoint === '127.0.0.1:9201') return { error: new Error('reset') }
      return { status: 200, body: 'x' }
    },
    {
      bindingTimeoutMs: 50,
      policyFor: (name) => servicePolicy(name[1] === 'hang' ? { totalTimeoutMs: 50 } : {}),
    },
    [late.mounted, slow.mounted],
  )
  t.teardown(() => r.router.close())
  const server = { ...r.server, maxConcurrentRequests: 5, active: 0 }
  const statuses: Record<string, number> = {}
  for (const host of ['late', 'slow', 'hang', 'down', 'nobody', 'users']) {
    statuses[host] = (await r.call(request(['Host', host]), server)).status
    t.deepEqual([server.active, r.router.inFlight, r.server.stats.pending], [0, 0, 0], host)
  }
  t.deepEqual(statuses, { late: 504, slow: 504, hang: 503, down: 502, nobody: 502, users: 200 })
  for (const name of ['late', 'slow', 'hang', 'down', 'users']) {
    t.is(r.stats.service(`/svc/${name}`).pending, 0, name)
  }
  for (const id of ['users-v2', 'billing-zone-b', 'users']) {
    t.is(r.stats.client(`/#/io.l5d.fs/${id}`).pending, 0, id)
  }
})
