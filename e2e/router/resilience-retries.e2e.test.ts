// Retries by the response classifier, through the real router: a backend answers 503 to 30 % of
// requests, at random (a fixed every-third pattern can lock onto the GETs alone, a retry taking
// the place of the POST that would have failed). With io.l5d.http.retryableRead5XX every GET ends in a 200 (its 503 is retried),
// while a POST's 503 reaches the client; with the default classifier nothing is retried.
import test from 'ava'
import { setTimeout as sleep } from 'node:timers/promises'
import type { ControllableBackend } from '../../testing/backend/controllable.js'
import { adminMetrics, type RunningRouter } from '../../testing/router/process.js'
import {
  inProcessBackends,
  metricSum,
  routerOver,
  steadyLoad,
} from '../../testing/router/resilience.js'
import type { LoadTally } from '../../testing/steady-load.js'

const RETRIES = /^rt\/[^/]+\/service\/.*\/retries\/total$/

/**
 * 3 s of 40 req/s (GET and POST in turn) through a router over one backend failing 30 % of
 * requests. The retry budget's reserve alone (10/s × 10 s) covers the ~26 retries this needs.
 */
async function run(
  t: import('ava').ExecutionContext,
  service: Record<string, unknown>,
): Promise<{ tally: LoadTally; backend: ControllableBackend; router: RunningRouter }> {
  const [backend] = await inProcessBackends(t, 1)
  if (backend === undefined) throw new Error('no backend')
  await backend.setMode({ kind: 'fail', fraction: 0.3 })
  const router = await routerOver(t, [backend], { service })
  const load = steadyLoad(t, router, 40)
  await sleep(3000)
  return { tally: await load.stop(), backend, router }
}

test('retryableRead5XX: 0 failed GETs; POSTs are not retried and their 503s reach the client', async (t) => {
  const { tally, backend, router } = await run(t, {
    responseClassifier: { kind: 'io.l5d.http.retryableRead5XX' },
  })
  const [gets, posts] = [tally.GET, tally.POST]
  if (gets === undefined || posts === undefined) return t.fail()
  t.true(gets.total > 30 && posts.total > 30, `${gets.total} GETs, ${posts.total} POSTs`)
  t.is(gets.failed, 0, JSON.stringify(gets.failures))
  t.true(posts.failed > 0, 'some POSTs got a 503')
  t.deepEqual(Object.keys(posts.failures), ['503 b1: 503'])
  const retries = metricSum(await adminMetrics(router), RETRIES)
  t.true(retries > 0)
  const seen = backend.counts()
  // Each POST reached the backend once; each GET once plus its retries.
  t.is(seen.byMethod.POST, posts.total)
  t.is(seen.byMethod.GET, gets.total + retries)
  // Every 503 was either a POST's (the client got it) or a GET's (retried).
  t.is(seen.byStatus[503], posts.failed + retries)
})

test('the default classifier retries nothing: the client gets every 503', async (t) => {
  const { tally, backend, router } = await run(t, {})
  const [gets, posts] = [tally.GET, tally.POST]
  if (gets === undefined || posts === undefined) return t.fail()
  t.is(metricSum(await adminMetrics(router), RETRIES), 0)
  const seen = backend.counts()
  t.is(seen.byMethod.GET, gets.total)
  t.is(seen.byMethod.POST, posts.total)
  t.true(gets.failed > 0 && posts.failed > 0)
  t.is(seen.byStatus[503], gets.failed + posts.failed)
  t.is(seen.requests, gets.total + posts.total)
})
