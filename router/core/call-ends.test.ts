/**
 * Every call ends exactly once, whichever way it goes, and gives back what it took: its place
 * under `maxConcurrentRequests`, its count in flight and pending, its client's attempt, its
 * timers and waits. The routing core with the in-memory transport (testing/router/core.ts).
 */
import test from 'ava'
import { coreRouter, request } from '../../testing/router/core.js'

const DTAB = '/svc => /#/io.l5d.fs'
const okReply = () => ({ status: 200, headers: ['content-length', '2'], body: 'ok' })

for (const totalTimeoutMs of [undefined, 5_000]) {
  test(`a call that fails before it is sent gives its maxConcurrentRequests place back (totalTimeoutMs ${totalTimeoutMs})`, async (t) => {
    const r = coreRouter(DTAB, okReply, { totalTimeoutFor: () => totalTimeoutMs })
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
