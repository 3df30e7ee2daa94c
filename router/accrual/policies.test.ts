import test from 'ava'
import { ConfigError, Section } from '../../lib/config/section.js'
import { DEFAULT_ACCRUAL, parseAccrual, type FailurePolicy } from './index.js'

/** The policy a section describes, on a clock the test moves (`clock.now`). */
function policyOf(raw: unknown, clock = { now: 0 }): FailurePolicy {
  const make = parseAccrual(new Section(raw, 'fa')).policy
  if (make === undefined) throw new Error('no policy')
  return make(() => clock.now)
}

/** The outcomes recorded one by one; the index of the first that marks dead, or -1. */
function firstDeath(p: FailurePolicy, outcomes: boolean[]): number {
  return outcomes.findIndex((ok) => p.record(ok))
}

test('consecutiveFailures: dead at the Nth failure in a row; a success starts over', (t) => {
  const p = policyOf({ kind: 'io.l5d.consecutiveFailures', failures: 3 })
  t.is(firstDeath(p, [false, false, true, false, false, true]), -1)
  t.is(firstDeath(p, [false, false, false]), 2)
  t.is(p.reason(), '3 consecutive failures')
  p.reset()
  t.false(p.record(false))
})

test('the default is 5 consecutive failures with a 5 s first backoff', (t) => {
  t.is(parseAccrual(undefined), DEFAULT_ACCRUAL)
  const p = DEFAULT_ACCRUAL.policy?.(() => 0)
  t.is(p && firstDeath(p, Array<boolean>(10).fill(false)), 4)
  t.is(DEFAULT_ACCRUAL.backoff(() => 0.5)(), 5000)
})

test('successRate: judged after 5 outcomes, dead when the rate drops below the bound', (t) => {
  const p = policyOf({ kind: 'io.l5d.successRate', successRate: 0.8, requests: 10 })
  t.is(firstDeath(p, [false, false, false, false]), -1, 'four outcomes are too few')
  t.true(p.record(false))
  t.regex(p.reason(), /^success rate 0\.000 below 0\.8$/)
  p.reset()
  // 9 in 10 succeed: the average stays near 0.9, above 0.8, for a long run.
  const run = Array.from({ length: 500 }, (_, i) => i % 10 !== 0)
  t.is(firstDeath(p, run), -1)
  // then failures only: about two of them bring an average over ~10 requests below 0.8
  const died = firstDeath(p, Array<boolean>(10).fill(false))
  t.true(died >= 0 && died <= 3, `dead after ${died + 1} failures`)
})

test('successRate: old outcomes fade, so a long good past does not hide a bad present', (t) => {
  const p = policyOf({ kind: 'io.l5d.successRate', successRate: 0.5, requests: 20 })
  t.is(firstDeath(p, Array<boolean>(10_000).fill(true)), -1)
  const died = firstDeath(p, Array<boolean>(100).fill(false))
  t.true(died >= 10 && died <= 20, `dead after ${died + 1} failures`)
})

test('successRateWindowed: the average is over time, not over a count', (t) => {
  const clock = { now: 0 }
  const p = policyOf({ kind: 'io.l5d.successRateWindowed', successRate: 0.5, window: 10 }, clock)
  for (let i = 0; i < 1000; i++) p.record(true) // all at t = 0: no decay between them
  // a minute later the 1000 successes weigh as ~2.5 (e^-6 each): three failures outweigh them
  clock.now = 60_000
  t.false(p.record(false), 'one failure leaves ~0.71')
  t.false(p.record(false), 'two leave ~0.55')
  t.true(p.record(false), 'three leave ~0.45')
})

test('successRateWindowed: failures spread over the window do not outweigh a steady success', (t) => {
  const clock = { now: 0 }
  const p = policyOf({ kind: 'io.l5d.successRateWindowed', successRate: 0.5, window: 10 }, clock)
  for (let i = 0; i < 1000; i++) {
    clock.now += 100
    t.false(p.record(i % 3 !== 0), `outcome ${i}`)
  }
})

test('none: no policy', (t) => {
  t.is(parseAccrual(new Section({ kind: 'none' }, 'fa')).policy, undefined)
})

test('bad failureAccrual sections are errors naming the place', (t) => {
  const bad = (raw: unknown): string =>
    t.throws(() => parseAccrual(new Section(raw, 'client.failureAccrual')), {
      instanceOf: ConfigError,
    }).message
  t.regex(
    bad({ kind: 'io.l5d.nope' }),
    /client\.failureAccrual\.kind.*unknown kind "io\.l5d\.nope"/,
  )
  t.regex(bad({ kind: 'io.l5d.consecutiveFailures' }), /failureAccrual\.failures.*required/)
  t.regex(bad({ kind: 'io.l5d.consecutiveFailures', failures: 0 }), /failures.*\[1, Infinity\]/)
  t.regex(bad({ kind: 'io.l5d.successRate', successRate: 1.5, requests: 1 }), /successRate/)
  t.regex(bad({ kind: 'io.l5d.successRate', successRate: 0.9 }), /requests.*required/)
  t.regex(bad({ kind: 'io.l5d.successRateWindowed', successRate: 0.9 }), /window.*required/)
  t.regex(bad({ kind: 'none', failures: 3 }), /unknown key\(s\): failures/)
  t.regex(bad({ failures: 3 }), /kind.*required/)
  t.regex(
    bad({ kind: 'none', backoff: { kind: 'jittered', minMs: 9 } }),
    /failureAccrual\.backoff\.maxMs.*required/,
  )
})

test('a backoff section replaces the default backoff', (t) => {
  const a = parseAccrual(
    new Section({ kind: 'none', backoff: { kind: 'constant', ms: 200 } }, 'fa'),
  )
  const next = a.backoff()
  t.deepEqual([next(), next()], [200, 200])
})
