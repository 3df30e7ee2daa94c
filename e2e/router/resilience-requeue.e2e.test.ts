// Requeues with the default config, against real processes: one of two backend processes is
// SIGKILLed under a steady load of GETs and POSTs, then restarted on its port. A request picked
// to the dead one cannot connect, so nothing of it was sent: the router requeues it to the other
// one, whatever its method, and the client sees no failure.
//
// One race is inherent: a request already written to the backend when it is killed fails (the
// connection is reset or closed before the answer). The backend may have acted on it, and the
// default classifier (linkerd's nonRetryable5XX) retries nothing, so it is not sent again: a
// POST, and a GET that was the first request of its connection. A GET on a reused keep-alive
// connection is sent once more on a fresh one (the reset may be the endpoint closing an idle
// connection as the GET was written, docs/resilience.md); that fresh connection is refused and
// the GET requeued, unless the dying process still accepted it, and then it fails too. How many
// there are depends on how many requests were in flight at that instant (0 or 1 in most runs at
// this rate, more on a loaded machine), so the outage's failures are asserted to be only of that
// kind, and once the backend is back nothing fails.
//
// Failure accrual takes the dead endpoint out after 5 failures in a row (its refusals count), so
// the balancer stops picking it and few requeues are needed; after its backoff (5 s at first,
// linkerd's default) it is probed, and revived once the restarted backend answers.
import test from 'ava'
import { setTimeout as sleep } from 'node:timers/promises'
import { eventually } from '../../testing/eventually.js'
import { adminMetrics } from '../../testing/router/process.js'
import {
  backendProcesses,
  metricSum,
  routerOver,
  steadyLoad,
} from '../../testing/router/resilience.js'

/** A failure of a request written to a connection the killed backend then reset or closed. */
const LOST_IN_FLIGHT = /^502 .*\((ECONNRESET|EPIPE|UPSTREAM_CLOSED)\)/

test('one of two endpoints killed under a steady load: none is lost unsent (requeues), only requests in flight at the kill fail; the dead one is removed, probed and revived', async (t) => {
  t.timeout(45_000)
  const backends = await backendProcesses(t, 2)
  const [, killed] = backends
  if (killed === undefined) return t.fail()
  const router = await routerOver(t, backends)
  const outage = steadyLoad(t, router, 150)
  await sleep(1000)
  await killed.kill()
  await sleep(2000)
  const during = await outage.stop()
  await killed.restart()
  const after = steadyLoad(t, router, 150)
  // Linkerd's default backoff probes the dead endpoint 5 s after its removal at the earliest.
  const client = (name: string): RegExp => new RegExp(`^rt/[^/]+/client/.*/${name}$`)
  const revived = async (): Promise<boolean> =>
    metricSum(await adminMetrics(router), client('failure_accrual/revivals')) >= 1
  await eventually('the restarted endpoint revived', revived, 20_000, 200)
  await sleep(1000)
  const back = await after.stop()
  const [gets, posts] = [during.GET, during.POST]
  if (gets === undefined || posts === undefined) return t.fail()
  t.true(gets.total > 30 && posts.total > 30, `${gets.total} GETs, ${posts.total} POSTs`)
  for (const [method, m] of [
    ['GET', gets],
    ['POST', posts],
  ] as const) {
    const unexplained = Object.keys(m.failures).filter((f) => !LOST_IN_FLIGHT.test(f))
    t.deepEqual(unexplained, [], `${method} failures: ${JSON.stringify(m.failures)}`)
    // A handful in flight at the kill, never a share of the outage's requests.
    t.true(m.failed <= 5, `${method} failures: ${JSON.stringify(m.failures)}`)
    if (m.failed > 0) t.log(`${method}s in flight at the kill: ${JSON.stringify(m.failures)}`)
  }
  for (const m of [back.GET, back.POST]) t.is(m?.failed, 0, JSON.stringify(m?.failures))
  const metrics = await adminMetrics(router)
  t.true(metricSum(metrics, client('retries/requeues')) > 0, 'requeues counted')
  t.true(metricSum(metrics, client('failure_accrual/removals')) >= 1, 'removed')
  // Removed after 5 failures in a row (refusals, and a request in flight at the kill): the dead
  // endpoint was tried a handful of times, not for every request of the outage.
  const refused = metricSum(metrics, client('failures/ECONNREFUSED'))
  t.true(refused >= 1 && refused <= 15, `${refused} connections refused`)
  t.true(metricSum(metrics, client('failure_accrual/probes')) >= 1, 'probed')
  t.is(metricSum(metrics, client('loadbalancer/available')), 2, 'both endpoints available again')
  // The restarted process (its counters start at zero) got its share again.
  t.true((await killed.counts()).requests > 10, 'the restarted backend serves again')
})
