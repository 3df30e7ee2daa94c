import test from 'ava'
import { setTimeout as sleep } from 'node:timers/promises'
import { ControllableBackend } from './backend/controllable.js'
import { percentile, startSteadyLoad } from './steady-load.js'

test('every request sent is counted once by method, and a non-2xx answer is a failure', async (t) => {
  const b = await ControllableBackend.start({
    name: 'b',
    mode: { kind: 'fail', every: 4, status: 500 },
  })
  t.teardown(() => b.close())
  const load = startSteadyLoad({ port: b.port, host: 'svc', rate: 100 })
  await sleep(1000)
  const tally = await load.stop()
  const get = tally.GET
  const post = tally.POST
  if (get === undefined || post === undefined) return t.fail('a method is missing')
  const seen = b.counts()
  t.true(get.total > 10 && post.total > 10, `${get.total} GETs, ${post.total} POSTs`)
  t.deepEqual(seen.byMethod, { GET: get.total, POST: post.total })
  t.is(get.failed + post.failed, seen.byStatus[500] ?? 0)
  t.deepEqual(Object.keys({ ...get.failures, ...post.failures }), ['500 b: 500'])
  t.true(get.failed + post.failed > 0)
  t.is(get.latenciesMs.length, get.total)
})

test('a refused connection is a failure counted by its error code', async (t) => {
  const b = await ControllableBackend.start({ mode: { kind: 'refuse' } })
  const load = startSteadyLoad({ port: b.port, host: 'svc', rate: 50, methods: ['GET'] })
  await sleep(500)
  const get = (await load.stop()).GET
  t.true((get?.total ?? 0) > 0)
  t.deepEqual(get?.failures, { ECONNREFUSED: get?.total })
})

test('percentile is the nearest rank', (t) => {
  const xs = Array.from({ length: 100 }, (_, i) => 100 - i)
  t.is(percentile(xs, 99), 99)
  t.is(percentile(xs, 100), 100)
  t.is(percentile([7], 50), 7)
  t.true(Number.isNaN(percentile([], 99)))
})
