import test from 'ava'
import { seededRandom } from '../../testing/random.js'
import { bucketOf, Histogram, midpointMs } from './histogram.js'

/** A seeded PRNG, so failures reproduce. */
const prng = seededRandom

/** Nearest rank: the smallest value with at least ⌈p·n⌉ values at or below it. */
function exactQuantile(sorted: readonly number[], p: number): number {
  const rank = Math.max(1, Math.ceil(p * sorted.length - 1e-9))
  return sorted[rank - 1] ?? NaN
}

const PS = [0.5, 0.9, 0.95, 0.99, 0.999, 0.9999]

function checkAccuracy(t: import('ava').ExecutionContext, name: string, values: number[]): void {
  const h = new Histogram()
  for (const v of values) h.record(v)
  const sorted = [...values].sort((a, b) => a - b)
  const got = h.quantiles(PS)
  PS.forEach((p, i) => {
    const want = exactQuantile(sorted, p)
    const est = got[i] ?? NaN
    // 1/64 relative from the bucket midpoint, or 1 µs in the exact region below 64 µs
    const tolerance = Math.max(want / 64, 0.001) + 1e-9
    t.true(Math.abs(est - want) <= tolerance, `${name} p${p}: got ${est}, want ${want}`)
  })
  const s = h.summary()
  t.is(s.count, values.length)
  t.is(s.min, sorted[0] ?? NaN)
  t.is(s.max, sorted[sorted.length - 1] ?? NaN)
  t.true(Math.abs(s.sum - values.reduce((a, b) => a + b, 0)) < 1e-6 * s.sum + 1e-9)
}

test('quantiles are within the bucket error of the exact nearest-rank values', (t) => {
  const r = prng(42)
  const n = 20_000
  checkAccuracy(
    t,
    'uniform 0-10 ms',
    Array.from({ length: n }, () => r() * 10),
  )
  checkAccuracy(
    t,
    'sub-ms',
    Array.from({ length: n }, () => r() * 0.2),
  )
  checkAccuracy(
    t,
    'whole ms',
    Array.from({ length: n }, () => Math.floor(r() * 300)),
  )
  checkAccuracy(
    t,
    'log-uniform 1 µs-1e6 ms',
    Array.from({ length: n }, () => 10 ** (r() * 9 - 3)),
  )
  checkAccuracy(
    t,
    'heavy tail',
    Array.from({ length: n }, () => (r() < 0.99 ? 1 + r() * 4 : 500 + r() * 5000)),
  )
  checkAccuracy(t, 'few values', [5, 1, 3])
})

test("linkerd's stat examples: one value, then two", (t) => {
  const h = new Histogram()
  h.record(1)
  t.deepEqual(h.quantiles([0.5, 0.9, 0.9999]), [1, 1, 1])
  h.record(2)
  const s = h.summary()
  t.like(s, { count: 2, sum: 3, avg: 1.5, min: 1, max: 2, p50: 1, p90: 2, p9999: 2 })
})

test('snapshot keeps the interval in `last` and resets; an empty interval is count 0', (t) => {
  const h = new Histogram()
  t.is(h.last, undefined)
  h.record(4)
  h.record(6)
  t.like(h.snapshot(), { count: 2, sum: 10, min: 4, max: 6 })
  t.like(h.last, { count: 2 })
  t.is(h.summary().count, 0)
  h.record(8)
  t.like(h.snapshot(), { count: 1, min: 8, max: 8, p50: 8 })
  t.like(h.snapshot(), { count: 0, sum: 0, max: 0 })
})

test('negative and NaN count as 0; huge values land in the last bucket with an exact max', (t) => {
  const h = new Histogram()
  h.record(-5)
  h.record(NaN)
  h.record(5e9)
  const s = h.summary()
  t.like(s, { count: 3, min: 0, max: 5e9, p50: 0 })
  t.is(s.p9999, 5e9)
  t.is(bucketOf(5e9), 831)
  t.is(bucketOf(1.2e6), 831)
})

test('buckets are contiguous and monotonic; a midpoint is within 1/64 of any value in it', (t) => {
  let last = -1
  for (let us = 0; us < 2 ** 30; us = us < 4096 ? us + 1 : Math.floor(us * 1.0007) + 1) {
    const b = bucketOf(us / 1000)
    t.true(b === last || b === last + 1, `bucket of ${us} µs jumped from ${last} to ${b}`)
    last = b
  }
  t.is(last, 831)
  const r = prng(7)
  for (let k = 0; k < 100_000; k++) {
    const v = 10 ** (r() * 9 - 3)
    const err = Math.abs(midpointMs(bucketOf(v)) - v)
    if (err > v / 64 + 0.001) {
      t.fail(`midpoint of the bucket of ${v} is ${midpointMs(bucketOf(v))}`)
      break
    }
  }
  t.is(midpointMs(bucketOf(1)), 1)
  t.is(midpointMs(bucketOf(0.0415)), 0.041)
})
