import test from 'ava'
import { MIN_RETRY_DELAY_MS, namerdError, retryDelayMs } from './protocol.js'

const retry = { baseMs: 20, maxMs: 160 }

test('random () => 1 waits the cap: baseMs doubling per failure, up to maxMs', (t) => {
  const waits = [1, 2, 3, 4, 5, 6, 100, 5000].map((n) => retryDelayMs(n, retry, () => 1))
  t.deepEqual(waits, [20, 40, 80, 160, 160, 160, 160, 160])
})

test('full jitter: a wait is within [MIN_RETRY_DELAY_MS, cap], whatever random gives', (t) => {
  t.is(
    retryDelayMs(3, retry, () => 0),
    MIN_RETRY_DELAY_MS,
  )
  t.is(
    retryDelayMs(3, retry, () => 0.5),
    40,
  )
  t.is(
    retryDelayMs(3, retry, () => 7),
    80,
    'random() above 1 is clamped',
  )
  t.is(
    retryDelayMs(3, retry, () => -1),
    MIN_RETRY_DELAY_MS,
    'below 0 too',
  )
  let seed = 42
  const random = (): number => ((seed = (seed * 16807) % 2147483647) - 1) / 2147483646
  const seen = new Set<number>()
  for (let i = 0; i < 500; i++) {
    const n = 1 + (i % 8)
    const cap = Math.min(retry.maxMs, retry.baseMs * 2 ** (n - 1))
    const wait = retryDelayMs(n, retry, random)
    t.true(wait >= MIN_RETRY_DELAY_MS && wait <= cap, `failure ${n}: ${wait} not in [5, ${cap}]`)
    seen.add(wait)
  }
  t.true(seen.size > 50, 'the waits are spread, not constant')
})

test('namerdError: only an object whose single key is error, with a string code and message', (t) => {
  const e = { code: 'ERR_MAX_DEPTH', message: 'too deep' }
  t.deepEqual(namerdError({ error: e }), e)
  t.deepEqual(namerdError({ error: { ...e, at: 3 } }), e)
  const values: unknown[] = [
    [],
    [{ prefix: '/a', dst: '/b' }],
    null,
    'error',
    { error: 'x' },
    { error: { code: 1, message: 'm' } },
    { error: { code: 'c' } },
    { error: e, type: 'leaf' },
    { error: [e] },
  ]
  for (const v of values) t.is(namerdError(v), undefined, JSON.stringify(v))
})
