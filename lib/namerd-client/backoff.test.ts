import test from 'ava'
import * as cockatiel from 'cockatiel'
import { ExponentialBackoff, noJitterGenerator } from 'cockatiel/dist/backoff/Backoff.js'
import { seededRandom } from '../../testing/random.js'
import { Backoff, MIN_RETRY_DELAY_MS } from './backoff.js'

const retry = { baseMs: 20, maxMs: 160 }

/** The cap of the n-th wait (n ≥ 1). */
const cap = (n: number): number => Math.min(retry.maxMs, retry.baseMs * 2 ** (n - 1))

/** The first `n` waits of a backoff. */
function waits(b: Backoff, n: number): number[] {
  return Array.from({ length: n }, () => b.next())
}

test("backoff.ts's cockatiel module is the package's own (an upgrade that moves it fails here)", (t) => {
  t.is(ExponentialBackoff, cockatiel.ExponentialBackoff)
  t.is(noJitterGenerator, cockatiel.noJitterGenerator)
})

test('random () => 1 waits each cap: baseMs doubling per failure, up to maxMs, for ever', (t) => {
  const b = new Backoff(retry, () => 1)
  t.deepEqual(waits(b, 6), [20, 40, 80, 160, 160, 160])
  const later = waits(b, 5000)
  t.true(
    later.every((w) => w === 160),
    'still maxMs after thousands of failures',
  )
  t.is(b.failures, 5006)
})

test('full jitter: each wait within [MIN_RETRY_DELAY_MS, cap]; spread, not constant (seeded)', (t) => {
  const random = seededRandom(42)
  const seen = new Set<number>()
  for (let run = 0; run < 100; run++) {
    const b = new Backoff(retry, random)
    waits(b, 8).forEach((wait, i) => {
      t.true(wait >= MIN_RETRY_DELAY_MS && wait <= cap(i + 1), `failure ${i + 1}: ${wait}`)
      seen.add(wait)
    })
  }
  t.true(seen.size > 50, `${seen.size} distinct waits`)
})

test('Math.random by default: within the bounds, and the mean of late waits near cap / 2', (t) => {
  const b = new Backoff({ baseMs: 10, maxMs: 1000 })
  const late = waits(b, 2000).slice(20)
  t.true(late.every((w) => w >= MIN_RETRY_DELAY_MS && w <= 1000))
  const mean = late.reduce((a, w) => a + w, 0) / late.length
  t.true(mean > 350 && mean < 650, `mean ${mean} ms (expected about 500)`)
})

test('random() outside [0, 1] is clamped; 0 still waits MIN_RETRY_DELAY_MS', (t) => {
  t.deepEqual(waits(new Backoff(retry, () => 7), 4), [20, 40, 80, 160])
  t.deepEqual(waits(new Backoff(retry, () => -1), 3), [5, 5, 5])
  t.deepEqual(waits(new Backoff(retry, () => 0.5), 4), [10, 20, 40, 80])
  t.deepEqual(waits(new Backoff({ baseMs: 0, maxMs: 0 }, () => 1), 3), [5, 5, 5])
})

test('baseMs 0 never gives NaN, even after 2^n overflows', (t) => {
  const b = new Backoff({ baseMs: 0, maxMs: 600_000 }, () => 1)
  t.true(waits(b, 1100).every((w) => w === MIN_RETRY_DELAY_MS))
})

test('reset() after a success: the next failure waits as the first one did', (t) => {
  const b = new Backoff(retry, () => 1)
  t.deepEqual(waits(b, 4), [20, 40, 80, 160])
  b.reset()
  t.is(b.failures, 0)
  t.deepEqual(waits(b, 3), [20, 40, 80])
  t.is(b.failures, 3)
})
