// A service whose every endpoint fails (503 to everything), GETs retried by
// io.l5d.http.retryableRead5XX: the retry budget bounds the extra load on the endpoints, and
// the service's totalTimeoutMs bounds how long the client waits, backoffs included.
import test, { type ExecutionContext } from 'ava'
import { adminMetrics } from '../../testing/router/process.js'
import {
  getsFor,
  inProcessBackends,
  metricSum,
  routerOver,
} from '../../testing/router/resilience.js'
import type { MethodTally } from '../../testing/steady-load.js'

const RETRIES = /^rt\/[^/]+\/service\/.*\/retries\/total$/
const EXHAUSTED = /^rt\/[^/]+\/service\/.*\/retries\/budget_exhausted$/

/** `seconds` of `rate` GETs/s through a router over two backends that answer 503 to all. */
async function failingLoad(
  t: ExecutionContext,
  service: Record<string, unknown>,
  rate: number,
  seconds: number,
): Promise<{ gets: MethodTally; reached: number; metrics: Record<string, number> }> {
  const backends = await inProcessBackends(t, 2)
  for (const b of backends) await b.setMode({ kind: 'fail' })
  const router = await routerOver(t, backends, {
    service: { responseClassifier: { kind: 'io.l5d.http.retryableRead5XX' }, ...service },
  })
  const gets = await getsFor(t, router, rate, seconds * 1000)
  const reached = backends.reduce((n, b) => n + b.counts().requests, 0)
  return { gets, reached, metrics: await adminMetrics(router) }
}

test('the retries of a failing service stay within the budget: 0.2 × requests + the reserve', async (t) => {
  const { gets, reached, metrics } = await failingLoad(t, {}, 100, 3)
  const n = gets.total
  t.true(n > 150, `${n} GETs`)
  t.is(gets.failed, n, 'every GET ends in a 503')
  // The default budget: each request deposits 0.2 of a retry, and a reserve of
  // minRetriesPerSec × ttlSecs = 100 retries stands in every 10 s window. The run is shorter
  // than one window, so the retries are at most 100 + 0.2 × n (the router's own count must
  // agree with the backends'). Unbounded, each GET would be sent up to 26 times.
  const bound = n + 100 + Math.floor(0.2 * n)
  t.true(reached <= bound, `${reached} requests reached the backends for ${n} GETs (≤ ${bound})`)
  t.true(reached > n, 'retries happened')
  t.is(reached, n + metricSum(metrics, RETRIES))
  t.true(metricSum(metrics, EXHAUSTED) > 0, 'the budget ran out')
})

test('with totalTimeoutMs and a backoff, every answer comes within the total timeout', async (t) => {
  const totalTimeoutMs = 300
  const { gets, metrics } = await failingLoad(
    t,
    { totalTimeoutMs, retries: { backoff: { kind: 'constant', ms: 250 } } },
    50,
    2,
  )
  t.true(gets.total > 50, `${gets.total} GETs`)
  t.is(gets.failed, gets.total, JSON.stringify(gets.failures))
  t.true(metricSum(metrics, RETRIES) > 0, JSON.stringify(metrics))
  // Some calls were still retrying when the total timeout ended them (the others' budget ran
  // out first: they got the endpoint's 503).
  t.true(
    Object.keys(gets.failures).some((f) =>
      f.startsWith(`503 exceeded ${totalTimeoutMs}.milliseconds`),
    ),
    JSON.stringify(gets.failures),
  )
  // Loose, for a loaded machine. Past the timeout, each call would go on retrying every 250 ms
  // until its budget ran out (up to 25 retries: over 6 s); a hang would go far beyond.
  const slowest = Math.max(...gets.latenciesMs)
  t.true(slowest < totalTimeoutMs + 2700, `slowest answer ${Math.round(slowest)} ms`)
})
