// Budgets from extreme (but accepted) configs: they still bound retries. Attack tests of issue 14.
import test from 'ava'
import { parseBudget } from '../config/resilience.js'
import { Section } from '../../lib/config/section.js'
import { RetryBudget } from './retry-budget.js'

/** Retries the budget gives at one instant, stopping at 10,000 (an unbounded budget). */
function drain(b: RetryBudget): number {
  let n = 0
  while (n < 10_000 && b.tryRetry(0)) n++
  return n
}

for (const percentCanRetry of [1e-310, 1e-300]) {
  test(`percentCanRetry ${percentCanRetry}: the reserve alone, 100 retries`, (t) => {
    const config = parseBudget(new Section({ percentCanRetry }, 'budget'))
    const b = new RetryBudget(config)
    for (let i = 0; i < 1000; i++) b.request(0)
    t.is(drain(b), 100)
  })
}

test('percentCanRetry 1e-310 without a reserve: no retry at all', (t) => {
  const config = parseBudget(new Section({ percentCanRetry: 1e-310, minRetriesPerSec: 0 }, 'b'))
  const b = new RetryBudget(config)
  for (let i = 0; i < 1000; i++) b.request(0)
  t.is(drain(b), 0)
  t.is(b.available(0), 0, 'the gauge is a number')
})
