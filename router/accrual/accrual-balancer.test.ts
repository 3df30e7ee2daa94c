import test from 'ava'
import { accrualHarness, type AccrualHarness } from '../../testing/router/accrual.js'
import {
  addr,
  balancerConformance,
  hold,
  pickCounts,
} from '../../testing/router/balancer-conformance.js'
import { p2cBalancer } from '../balancers/index.js'
import type { Endpoint } from '../model.js'
import { constantBackoff } from '../backoffs/index.js'
import { AccrualBalancer, DEFAULT_ACCRUAL } from './index.js'
import { nullLog } from '../../lib/log.js'

balancerConformance(
  'p2c under failure accrual',
  (random) =>
    new AccrualBalancer(p2cBalancer({ maxEffort: 5 })(random), {
      accrual: DEFAULT_ACCRUAL,
      id: '/#/x',
      log: nullLog,
    }),
)

const A = '10.0.0.1:80'
const B = '10.0.0.1:81'

/** Fails requests on `key` until one of them marks it dead (3 in a row here). */
function kill(h: AccrualHarness, key: string): void {
  const e = h.balancer.endpoints.find((x) => x.key === key) as Endpoint
  for (let i = 0; i < 3; i++) {
    h.balancer.acquire()
    h.balancer.release(e, 1, false)
  }
}

/** The endpoint handed out next, acquired (not released). */
function take(h: AccrualHarness): Endpoint {
  const e = h.balancer.acquire()
  if (e === undefined) throw new Error('no endpoint')
  return e
}

/** Takes endpoints (the others released as successes) until `key`'s comes; at most 200. */
function takeUntil(h: AccrualHarness, key: string): Endpoint {
  let e = take(h)
  for (let i = 0; i < 200 && e.key !== key; i++) {
    h.balancer.release(e, 1, true)
    e = take(h)
  }
  return e
}

function twoEndpoints(): AccrualHarness {
  const h = accrualHarness()
  h.balancer.update([addr(80), addr(81)])
  return h
}

test('three failures in a row mark an endpoint dead: it gets no traffic, one log line', (t) => {
  const h = twoEndpoints()
  kill(h, A)
  t.deepEqual([...pickCounts(h.balancer, 1000)], [[B, 1000]])
  t.deepEqual(h.lines, [`warn: endpoint marked dead ${A}`])
  t.is(h.metric('failure_accrual/removals'), 1)
  t.is(h.metric('failure_accrual/removed_for_ms'), 100)
  t.is(h.metric('loadbalancer/available'), 1)
  t.deepEqual(
    h.balancer.endpoints.map((e) => e.key),
    [A, B],
    'every endpoint is still listed',
  )
  const health = h.balancer.health()
  t.deepEqual(health.endpoints[0], {
    endpoint: A,
    state: 'dead',
    until: new Date(h.clock.now + 100).toISOString(),
    failures: 3,
    weight: 1,
    load: 0,
  })
  t.false(health.panic)
})

test('after its backoff a dead endpoint takes one probe request, and a success revives it', (t) => {
  const h = twoEndpoints()
  kill(h, A)
  t.deepEqual(
    h.timers.map((x) => x.ms),
    [100],
  )
  h.fire()
  t.is(h.balancer.health().endpoints[0]?.state, 'probing')
  const held: Endpoint[] = []
  let probe: Endpoint | undefined
  for (let i = 0; i < 200 && probe === undefined; i++) {
    const e = take(h)
    if (e.key === A) probe = e
    else held.push(e)
  }
  t.not(probe, undefined, 'the probe went out')
  for (let i = 0; i < 500; i++) held.push(take(h))
  t.true(
    held.every((e) => e.key === B),
    'no second request while the probe is in flight',
  )
  t.is(h.metric('failure_accrual/probes'), 1)
  h.balancer.release(probe as Endpoint, 1, true)
  t.is(h.metric('failure_accrual/revivals'), 1)
  t.deepEqual(h.lines, [`warn: endpoint marked dead ${A}`, `info: endpoint revived ${A}`])
  for (const e of held) h.balancer.release(e, 1, true)
  const counts = pickCounts(h.balancer, 1000)
  t.true((counts.get(A) ?? 0) > 400, 'traffic is back')
  t.is(h.metric('loadbalancer/available'), 2)
})

test('calls whose client went away are no verdict: never marked dead, a probe cut short is owed another', (t) => {
  const h = twoEndpoints()
  const a = h.balancer.endpoints.find((x) => x.key === A) as Endpoint
  for (let i = 0; i < 10; i++) {
    h.balancer.acquire()
    h.balancer.release(a, 1, undefined)
  }
  t.is(h.metric('failure_accrual/removals'), 0)
  t.deepEqual(h.lines, [])
  kill(h, A)
  h.fire()
  const probe = takeUntil(h, A)
  h.balancer.release(probe, 1, undefined)
  t.is(h.metric('failure_accrual/revivals'), 0)
  const again = takeUntil(h, A)
  t.is(again.key, A, 'probed again')
  t.is(h.metric('failure_accrual/probes'), 2)
  h.balancer.release(again, 1, true)
  t.is(h.metric('failure_accrual/revivals'), 1)
})

test('a failed probe marks it dead again with the next, longer backoff', (t) => {
  const h = twoEndpoints()
  kill(h, A)
  h.fire()
  const probe = takeUntil(h, A)
  h.balancer.release(probe, 1, false)
  t.deepEqual(
    h.timers.map((x) => x.ms),
    [200],
  )
  t.is(h.balancer.health().endpoints[0]?.state, 'dead')
  t.is(h.metric('failure_accrual/removals'), 2)
  t.is(h.metric('failure_accrual/removed_for_ms'), 300)
  t.deepEqual([...pickCounts(h.balancer, 500)], [[B, 500]])
  t.deepEqual(h.lines, [`warn: endpoint marked dead ${A}`], 'a failed probe is not logged again')
})

test('a revival starts the backoff over', (t) => {
  const h = twoEndpoints()
  kill(h, A)
  h.fire()
  const e = h.balancer.endpoints[0] as Endpoint
  h.balancer.release(e, 1, true) // a success revives
  kill(h, A)
  t.deepEqual(
    h.timers.map((x) => x.ms),
    [100],
  )
})

test('when every endpoint is dead they are used anyway (panic), logged once each way', (t) => {
  const h = twoEndpoints()
  kill(h, A)
  kill(h, B)
  t.true(h.balancer.health().panic)
  t.is(h.metric('loadbalancer/panic'), 1)
  t.is(h.metric('loadbalancer/available'), 0)
  const held = hold(h.balancer, 200)
  t.true(held.some((e) => e.key === A) && held.some((e) => e.key === B), 'both used')
  h.balancer.release(held.find((e) => e.key === A) as Endpoint, 1, true)
  t.deepEqual(h.lines, [
    `warn: endpoint marked dead ${A}`,
    `warn: endpoint marked dead ${B}`,
    'warn: every endpoint is marked dead; balancing over them anyway',
    `info: endpoint revived ${A}`,
    'info: an endpoint is alive again; no longer balancing over dead ones',
  ])
  t.false(h.balancer.health().panic)
})

test('failures while in panic do not stack more removals or log lines', (t) => {
  const h = accrualHarness()
  h.balancer.update([addr(80)])
  kill(h, A)
  for (let i = 0; i < 100; i++) h.balancer.release(take(h), 1, false)
  t.is(h.metric('failure_accrual/removals'), 1)
  t.is(h.lines.length, 2)
  t.is(h.timers.length, 1)
})

test('an update keeps the dead state of endpoints that stay and forgets removed ones', (t) => {
  const h = accrualHarness()
  h.balancer.update([addr(80), addr(81), addr(82)])
  kill(h, A)
  kill(h, B)
  const [timerA, timerB] = h.timers
  h.balancer.update([addr(80), addr(82), addr(83)])
  t.deepEqual(
    h.balancer.health().endpoints.map((e) => `${e.endpoint} ${e.state}`),
    [`${A} dead`, '10.0.0.1:82 alive', '10.0.0.1:83 alive'],
  )
  t.false(timerA?.cancelled)
  t.true(timerB?.cancelled, 'the removed endpoint has no timer left')
  h.balancer.update([addr(80), addr(81), addr(82), addr(83)])
  t.is(h.balancer.health().endpoints[1]?.state, 'alive', 'back as a new endpoint')
  const counts = pickCounts(h.balancer, 1000)
  t.is(counts.get(A), undefined)
  t.is(h.metric('loadbalancer/available'), 3)
})

test('a late release on a removed endpoint is ignored', (t) => {
  const h = twoEndpoints()
  const e = take(h)
  h.balancer.update([addr(e.key === A ? 81 : 80)])
  for (let i = 0; i < 5; i++) h.balancer.release(e, 1, false)
  t.is(h.metric('failure_accrual/removals'), 0)
})

test('close cancels the probe timers', (t) => {
  const h = twoEndpoints()
  kill(h, A)
  h.balancer.close()
  t.true(h.timers.every((x) => x.cancelled))
})

test('failFast: a failed connection marks down at once; a TCP connect brings it back', async (t) => {
  const answers = [false, true]
  const tried: string[] = []
  const h = accrualHarness({
    failFast: {
      backoff: constantBackoff(50),
      connect: (host, port) => {
        tried.push(`${host}:${port}`)
        return Promise.resolve(answers.shift() ?? false)
      },
    },
  })
  h.balancer.update([addr(80), addr(81)])
  const a = h.balancer.endpoints[0] as Endpoint
  h.balancer.failedToConnect(a)
  t.is(h.balancer.health().endpoints[0]?.state, 'dead')
  t.is(h.metric('failure_accrual/removals'), 1)
  t.deepEqual([...pickCounts(h.balancer, 300)], [[B, 300]])
  h.fire()
  await Promise.resolve()
  t.is(h.balancer.health().endpoints[0]?.state, 'dead', 'the first connect failed')
  t.deepEqual(
    h.timers.map((x) => x.ms),
    [50],
  )
  h.fire()
  await Promise.resolve()
  t.deepEqual(tried, [A, A])
  t.is(h.balancer.health().endpoints[0]?.state, 'alive')
  t.is(h.metric('failure_accrual/probes'), 2)
  t.is(h.metric('failure_accrual/revivals'), 1)
})

test('without failFast a failed connection is only a failure like any other', (t) => {
  const h = twoEndpoints()
  h.balancer.failedToConnect(h.balancer.endpoints[0] as Endpoint)
  t.is(h.balancer.health().endpoints[0]?.state, 'alive')
})

test('failFast: when every endpoint is held down, no endpoint is handed out (fail at once)', (t) => {
  const h = accrualHarness({
    failFast: { backoff: constantBackoff(50), connect: () => Promise.resolve(false) },
  })
  h.balancer.update([addr(80), addr(81)])
  for (const e of [...h.balancer.endpoints]) h.balancer.failedToConnect(e)
  t.true(h.balancer.health().panic)
  t.is(h.balancer.acquire(), undefined)
  t.deepEqual(
    h.balancer.endpoints.map((e) => e.key),
    [A, B],
    'the error can still list them',
  )
})
