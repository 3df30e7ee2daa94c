import test from 'ava'
import { gatesOf, judge, parseGate } from './gates.js'
import { parseInterval, parseSteps, splitTree, parseDestination } from './plan.js'

const fig = (requests: number, failures: number, p99Ms?: number) => ({ requests, failures, p99Ms })

test('gate texts: each form, spaces and case ignored; anything else names the forms', (t) => {
  t.deepEqual(parseGate('requests >= 50'), { kind: 'requests', min: 50 })
  t.deepEqual(parseGate('success>=99.5%'), { kind: 'success-floor', percent: 99.5 })
  t.deepEqual(parseGate('Success >= baseline - 1%'), { kind: 'success-margin', points: 1 })
  t.deepEqual(parseGate('p99 <= 1.5 * baseline'), { kind: 'p99-factor', factor: 1.5 })
  t.deepEqual(parseGate('p99 <= 250 ms'), { kind: 'p99-ceiling', ms: 250 })
  for (const bad of [
    'success > 99%',
    'p99 <= baseline',
    'success >= 101%',
    'requests >= 1.5',
    'requests >= 0',
    '',
  ])
    t.throws(() => parseGate(bad), { message: /--gate .*(expected one of|out of range)/ }, bad)
})

test('the default gates, and a request minimum added when none is given', (t) => {
  t.deepEqual(
    gatesOf(undefined).map((g) => g.kind),
    ['requests', 'success-margin', 'p99-factor'],
  )
  t.deepEqual(
    gatesOf(['p99 <= 100ms']).map((g) => g.kind),
    ['requests', 'p99-ceiling'],
  )
})

test('judging: wait for requests first, then the first gate that fails says why with figures', (t) => {
  const gates = gatesOf([
    'requests >= 100',
    'success >= 99%',
    'success >= baseline - 0.5%',
    'p99 <= 2 * baseline',
  ])
  t.deepEqual(judge(gates, fig(99, 50, 500), fig(1000, 0, 10)), {
    type: 'wait',
    reason: '99 of 100 requests on the canary',
  })
  t.deepEqual(judge(gates, fig(100, 0, 20), fig(1000, 0, 10)), { type: 'pass' })
  t.is(judge(gates, fig(1000, 20, 10), fig(1000, 0, 10)).type, 'fail')
  t.deepEqual(judge(gates, fig(1000, 6, 10), fig(1000, 0, 10)), {
    type: 'fail',
    reason: "success 99.4% is more than 0.5 points below the baseline's 100%",
  })
  t.deepEqual(judge(gates, fig(1000, 0, 21), fig(1000, 0, 10)), {
    type: 'fail',
    reason: "p99 21 ms is over 2 × the baseline's 10 ms",
  })
  t.is(
    judge(gates, fig(1000, 0, 1.5), fig(1000, 0, 0.2)).type,
    'pass',
    'baselines under 1 ms count as 1 ms',
  )
  t.is(
    judge(gates, fig(1000, 0, 50), fig(0, 0, undefined)).type,
    'pass',
    'no baseline latency: no comparison',
  )
})

test('steps, intervals and the split destination', (t) => {
  t.deepEqual(parseSteps('1, 5,25,50,100'), [1, 5, 25, 50, 100])
  for (const bad of [
    '5,1',
    '0,50',
    '50,150',
    'a',
    '10,10',
    '100',
    '10,50',
    '0.00001,100',
    '99.99999,100',
  ])
    t.throws(() => parseSteps(bad), undefined, bad)
  t.is(parseInterval('30s'), 30_000)
  t.is(parseInterval('500ms'), 500)
  t.is(parseInterval('2m'), 120_000)
  t.is(parseInterval('1500'), 1500)
  for (const bad of ['10ms', '2h', 'soon', '-1s'])
    t.throws(() => parseInterval(bad), undefined, bad)
  const v1 = parseDestination('--from', '/srv/v1')
  const both = parseDestination('--to', '/srv/v2 | /srv/v3')
  t.is(splitTree(v1, both, 0), '/srv/v1')
  t.is(splitTree(v1, both, 100), '/srv/v2 | /srv/v3')
  t.is(splitTree(v1, both, 12.5), '87.5 * /srv/v1 & 12.5 * (/srv/v2 | /srv/v3)')
})
