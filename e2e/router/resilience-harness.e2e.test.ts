// The resilience harness (testing/router/resilience.ts) against the real router: with every
// backend up, a steady load is answered in full and spread over all of them; a killed backend
// process is restarted on its port and serves again. The resilience features themselves have
// their own tests.
import test from 'ava'
import { setTimeout as sleep } from 'node:timers/promises'
import { backendProcesses, routerOver, steadyLoad } from '../../testing/router/resilience.js'

test('a steady load through the router reaches every backend, none failing', async (t) => {
  const backends = await backendProcesses(t, 3)
  const router = await routerOver(t, backends)
  const load = steadyLoad(t, router, 100)
  await sleep(1500)
  const tally = await load.stop()
  const sent = (tally.GET?.total ?? 0) + (tally.POST?.total ?? 0)
  t.is((tally.GET?.failed ?? 0) + (tally.POST?.failed ?? 0), 0, JSON.stringify(tally.GET?.failures))
  t.true(sent > 20, `${sent} requests`)
  const seen = await Promise.all(backends.map((b) => b.counts()))
  t.is(
    seen.reduce((n, c) => n + c.requests, 0),
    sent,
  )
  for (const c of seen) t.true(c.requests > 0)
  t.true(seen.every((c) => (c.byMethod.POST ?? 0) > 0))
})

test('a killed backend is restarted on its port and the router reaches it again', async (t) => {
  const backends = await backendProcesses(t, 1)
  const router = await routerOver(t, backends)
  const b = backends[0]
  if (b === undefined) return t.fail()
  const warm = steadyLoad(t, router, 50)
  await sleep(500)
  await warm.stop()
  t.true((await b.counts()).requests > 0)
  await b.kill()
  await b.restart()
  const load = steadyLoad(t, router, 50)
  await sleep(1000)
  const tally = await load.stop()
  // Its counters started again at zero: these requests reached the new process. (The router's
  // pooled connections died with the old one: the first requests after the restart may fail.)
  const answered = (await b.counts()).byStatus[200] ?? 0
  t.true(answered > 10, `${answered}`)
  const succeeded =
    (tally.GET?.total ?? 0) +
    (tally.POST?.total ?? 0) -
    (tally.GET?.failed ?? 0) -
    (tally.POST?.failed ?? 0)
  t.is(succeeded, answered)
})
