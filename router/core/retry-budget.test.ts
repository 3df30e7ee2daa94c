import test from 'ava'
import { DEFAULT_BUDGET, RetryBudget } from './retry-budget.js'

test('with no requests, the reserve allows minRetriesPerSec × ttlSecs retries', (t) => {
  const b = new RetryBudget(DEFAULT_BUDGET)
  t.is(b.available(0), 100)
  let n = 0
  while (b.tryRetry(0)) n++
  t.is(n, 100)
  t.is(b.available(0), 0)
})

test('requests earn percentCanRetry of a retry each', (t) => {
  const b = new RetryBudget({ ttlSecs: 10, minRetriesPerSec: 0, percentCanRetry: 0.2 })
  t.false(b.tryRetry(5))
  for (let i = 0; i < 50; i++) b.request(5)
  t.is(b.available(5), 10)
  let n = 0
  while (b.tryRetry(5)) n++
  t.is(n, 10)
})

test('deposits and withdrawals expire after ttlSecs', (t) => {
  const b = new RetryBudget({ ttlSecs: 1, minRetriesPerSec: 2, percentCanRetry: 0.5 })
  t.is(b.available(0), 2)
  for (let i = 0; i < 10; i++) b.request(0)
  t.is(b.available(50), 7)
  t.true(b.tryRetry(50))
  t.is(b.available(50), 6)
  t.is(b.available(1200), 2, 'the requests and the retry left the window')
  for (let i = 0; i < 4; i++) b.request(1200)
  t.is(b.available(1250), 4)
  t.is(b.available(100_000), 2, 'a long quiet gap clears everything')
})

test('percentCanRetry 0 leaves only the reserve', (t) => {
  const b = new RetryBudget({ ttlSecs: 10, minRetriesPerSec: 1, percentCanRetry: 0 })
  for (let i = 0; i < 1000; i++) b.request(1)
  t.is(b.available(1), 10)
})

test('over a steady load, retries stay within percent plus reserve', (t) => {
  const cfg = { ttlSecs: 10, minRetriesPerSec: 10, percentCanRetry: 0.2 }
  const b = new RetryBudget(cfg)
  let retries = 0
  const seconds = 60
  const perSec = 100
  for (let ms = 0; ms < seconds * 1000; ms += 1000 / perSec) {
    b.request(ms)
    if (b.tryRetry(ms)) retries++
  }
  const bound = seconds * (perSec * cfg.percentCanRetry + cfg.minRetriesPerSec) + 100
  t.true(retries <= bound, `${retries} retries, bound ${bound}`)
  t.true(retries >= bound * 0.8, `${retries} retries: the budget is used, not starved`)
})
