import test from 'ava'
import { ConfigError, Section } from '../../lib/config/section.js'
import {
  addr,
  balancerConformance,
  hold,
  pickCounts,
} from '../../testing/router/balancer-conformance.js'
import { seededRandom } from '../../testing/random.js'
import { EwmaBalancer, ewmaBalancer, peakEwma } from './ewma.js'
import { parseBalancer } from './index.js'

/** A clock that moves 1 ms at each reading, plus whatever `advance` adds. */
function fakeClock() {
  let t = 0
  return {
    now: () => (t += 1),
    advance: (ms: number) => void (t += ms),
  }
}

balancerConformance('ewma', ewmaBalancer({ maxEffort: 5, decayTimeMs: 10_000, ...fakeClock() }))

test('ewma: peakEwma takes peaks at once and decays with τ', (t) => {
  const tau = 10_000
  // Half-life τ·ln 2: 100 → 50.
  t.true(Math.abs(peakEwma(100, 0, 0, tau * Math.LN2, tau) - 50) < 1e-9)
  // After τ: decayed 100/e = 36.788; 10 is below, blended in with 1 − 1/e: 36.788 + 6.321.
  t.true(Math.abs(peakEwma(100, 0, 10, tau, tau) - (100 / Math.E + 10 * (1 - 1 / Math.E))) < 1e-9)
  t.true(Math.abs(peakEwma(100, 0, 10, tau, tau) - 43.109) < 1e-3)
  // Above the decayed cost: taken as is.
  t.is(peakEwma(100, 0, 40, tau, tau), 40)
  t.is(peakEwma(0, 0, 25, 5, tau), 25)
  // No time passed: a lower value is not blended in at all (w = 1).
  t.is(peakEwma(100, 7, 10, 7, tau), 100)
  // A clock going backwards counts as no time passed.
  t.is(peakEwma(100, 7, 10, 3, tau), 100)
})

test('ewma: the faster endpoint is preferred once latencies are known, and decay forgets', (t) => {
  const clock = fakeClock()
  const b = ewmaBalancer({ maxEffort: 5, decayTimeMs: 10_000, ...clock })(seededRandom(21))
  b.update([addr(80), addr(81)])
  // Both unobserved (load 0); the first pick is then penalized while in flight.
  const [slow, fast] = hold(b, 2)
  if (slow === undefined || fast === undefined) return t.fail()
  t.not(slow, fast)
  b.release(slow, 100, true)
  b.release(fast, 10, true)
  // 100 vs 10 ms: the slow one's cost stays above 90 over these ~400 ms.
  t.deepEqual([...pickCounts(b, 200, 10)], [[fast.key, 200]])
  // After 6τ the 100 ms peak is ≈ 0.25 ms; one fresh 10 ms on the fast one (its peak rule
  // takes it as is) makes the slow one the better choice.
  clock.advance(60_000)
  t.deepEqual([...pickCounts(b, 1, 10)], [[fast.key, 1]])
  t.deepEqual([...pickCounts(b, 1, 10)], [[slow.key, 1]])
})

test('ewma: an endpoint without latency history gets one request at a time', (t) => {
  const b = ewmaBalancer({ maxEffort: 5, decayTimeMs: 10_000, ...fakeClock() })(seededRandom(22))
  b.update([addr(80), addr(81)])
  const [known, fresh] = b.endpoints
  if (known === undefined || fresh === undefined) return t.fail()
  known.pending = 1
  b.release(known, 50, true)
  known.pending = 3
  fresh.pending = 1
  // fresh: penalty + 1; known: ≈ 50 × 4 = 200.
  t.deepEqual([...pickCounts(b, 100, 50)], [[known.key, 100]])
})

test('ewma: weights share traffic between weight classes whatever the latency', (t) => {
  const b = ewmaBalancer({ maxEffort: 5, decayTimeMs: 10_000, ...fakeClock() })(seededRandom(23))
  b.update([addr(80, 3), addr(81, 1)])
  const counts = new Map<string, number>()
  for (let i = 0; i < 40_000; i++) {
    const e = b.acquire()
    if (e === undefined) return t.fail()
    counts.set(e.key, (counts.get(e.key) ?? 0) + 1)
    b.release(e, e.port === 80 ? 500 : 5, true)
  }
  const share = ((counts.get('10.0.0.1:80') ?? 0) / 40_000) * 100
  t.true(Math.abs(share - 75) <= 2, String(share))
})

const AT = 'client.loadBalancer'

function parse(raw: unknown) {
  return parseBalancer(new Section(raw, AT))()
}

test('ewma: configs', (t) => {
  const good: [unknown, number, number][] = [
    [{ kind: 'ewma' }, 5, 10_000],
    [{ kind: 'ewma', decayTimeMs: 1 }, 5, 1],
    [{ kind: 'ewma', maxEffort: 2, decayTimeMs: 30_000, enableProbation: true }, 2, 30_000],
  ]
  for (const [raw, maxEffort, decayTimeMs] of good) {
    const b = parse(raw)
    t.true(b instanceof EwmaBalancer, JSON.stringify(raw))
    if (b instanceof EwmaBalancer)
      t.deepEqual([b.maxEffort, b.decayTimeMs], [maxEffort, decayTimeMs])
  }
  const range = (got: string) =>
    `${AT}.decayTimeMs: expected an integer in [1, Infinity], got ${got}`
  const bad: [unknown, string][] = [
    [{ kind: 'ewma', decayTimeMs: 0 }, range('number 0')],
    [{ kind: 'ewma', decayTimeMs: 1.5 }, range('number 1.5')],
    [{ kind: 'ewma', decayTimeMs: '10s' }, range('string "10s"')],
    [
      { kind: 'ewma', maxEffort: -2 },
      `${AT}.maxEffort: expected an integer in [0, Infinity], got number -2`,
    ],
    [{ kind: 'ewma', decayTime: 100 }, `${AT}: unknown key(s): decayTime`],
  ]
  for (const [raw, message] of bad) {
    t.throws(() => parse(raw), { instanceOf: ConfigError, message }, JSON.stringify(raw))
  }
})
