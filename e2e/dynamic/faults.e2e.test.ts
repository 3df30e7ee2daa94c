/**
 * Faults under load, end to end with real processes, each test on its own fleet: namerd killed,
 * etcd killed, a router's watch streams cut. Names the routers already route keep routing with
 * no failed request; what changed meanwhile reaches the routers once the fault is over.
 */
import test, { type ExecutionContext } from 'ava'
import { failsWith, show } from '../../testing/namerctl/harness.js'
import { eventually } from '../../testing/eventually.js'
import {
  canaryDtab,
  interpreterState,
  metric,
  splitOf,
  untilSplit,
} from '../../testing/fleet/admin.js'
import { NAMESPACE, startFleet, type Fleet, type RouterNode } from '../../testing/fleet/fleet.js'
import { ask, Load } from '../../testing/fleet/load.js'

test('namerd killed: known names keep routing, a new name fails with 502 (not a hang), all catches up after a restart', async (t) => {
  t.timeout(180_000)
  const fleet = await startFleet(t, { namerds: 1, routers: 1, bindingTimeoutMs: 2000 })
  const [router, namerd] = [first(fleet.routers), first(fleet.namerds)]
  await setDtab(t, fleet, 'create', 0)
  await routes(t, router, 'users', 'v1')
  const load = new Load(t, router.port)
  load.start()

  await namerd.kill()
  await untilCutOff(router)
  const before = load.background.total
  const askedAt = Date.now()
  const unseen = await ask(router.port, 'v2')
  t.log(`a new name failed after ${Date.now() - askedAt} ms (bindingTimeoutMs 2000)`)
  t.is(unseen.status, 502, unseen.body)
  t.regex(unseen.err ?? '', /^namerd at 127\.0\.0\.1:\d+ is unreachable while binding \/svc\/v2/)
  // The outage lasts a few more seconds under load (a duration of the scenario, not a wait).
  await new Promise((resolve) => setTimeout(resolve, 3000))
  t.true(load.background.total > before + 100, 'the load kept running during the outage')

  await namerd.restart()
  const restartedAt = Date.now()
  const newNameRoutes = async () => (await ask(router.port, 'v2')).status === 200
  await eventually('the new name to route', newNameRoutes, 30_000, 200)
  t.log(`the new name routed ${Date.now() - restartedAt} ms after namerd was ready again`)
  await routes(t, router, 'v2', 'v2')
  await setDtab(t, fleet, 'update', 100)
  await untilSplit(router, 100)
  await allOn(t, load, 'v2')
  const background = await load.stop()
  t.is(background.failures, 0, `failed requests: ${background.failed}`)
})

test('etcd killed and restarted: routers keep routing, namerctl fails with exit 8, then updates reach both routers', async (t) => {
  t.timeout(180_000)
  const fleet = await startFleet(t)
  await setDtab(t, fleet, 'create', 0)
  for (const r of fleet.routers) await routes(t, r, 'users', 'v1')
  const loads = fleet.routers.map((r) => new Load(t, r.port))
  for (const l of loads) l.start()

  await fleet.store.server.kill()
  const refused = await fleet.ctl('dtab', 'update', NAMESPACE, fleet.dtabFile(canaryDtab(50)))
  failsWith(t, refused, 8, /dtab store io\.l5d\.etcd is unreachable/)
  const seen = loads.map((l) => l.background.total)
  await eventually('load on both routers while etcd is down', () =>
    loads.every((l, i) => l.background.total > (seen[i] ?? 0) + 100),
  )

  await fleet.store.server.start()
  const backAt = Date.now()
  const file = fleet.dtabFile(canaryDtab(100))
  await eventually(
    'an update through namerd 1 once etcd is back',
    async () => (await fleet.ctl('dtab', 'update', NAMESPACE, file)).status === 0,
    60_000,
    200,
  )
  t.log(`an update went through ${Date.now() - backAt} ms after etcd was back`)
  // Router B follows namerd 2, which sees the update only if its etcd watch recovered.
  await Promise.all(fleet.routers.map((r) => untilSplit(r, 100, 60_000)))
  for (const l of loads) await allOn(t, l, 'v2')
  for (const l of loads) {
    const background = await l.stop()
    t.is(background.failures, 0, `failed requests: ${background.failed}`)
  }
})

test('watch streams cut: the router catches up with a change made meanwhile, without a restart or a failed request', async (t) => {
  t.timeout(180_000)
  const fleet = await startFleet(t, { namerds: 1, routers: 1, relayA: true })
  const router = first(fleet.routers)
  const relay = fleet.relay as NonNullable<Fleet['relay']>
  await setDtab(t, fleet, 'create', 0)
  await routes(t, router, 'users', 'v1')
  const load = new Load(t, router.port, { concurrency: 2 })
  load.start()

  // Cuts every relayed connection; new ones are accepted and left silent (a hung namerd)
  // until the router gives up on them, which takes its dead-stream delay (35 s).
  relay.block()
  await untilCutOff(router)
  await setDtab(t, fleet, 'update', 100)
  t.deepEqual(await splitOf(router), { v1: 1, v2: 0 }, 'cut off, the router keeps the old tree')
  relay.unblock()
  const cutAt = Date.now()
  await untilSplit(router, 100, 120_000)
  t.log(`caught up ${Date.now() - cutAt} ms after the relay let connections through again`)

  const reconnects = await metric(router, 'interpreter/io.l5d.namerd.http/reconnects')
  t.true((reconnects ?? 0) > 0, `reconnects: ${reconnects}`)
  await allOn(t, load, 'v2')
  const background = await load.stop()
  t.is(background.failures, 0, `failed requests: ${background.failed}`)
  t.true(background.total > 100, `only ${background.total} requests during the cut`)
})

function first<T>(xs: readonly T[]): T {
  return xs[0] as T
}

/** `namerctl dtab create|update shop` with the canary dtab at `v2Percent`, through namerd 1. */
async function setDtab(t: ExecutionContext, fleet: Fleet, verb: string, v2Percent: number) {
  const r = await fleet.ctl('dtab', verb, NAMESPACE, fleet.dtabFile(canaryDtab(v2Percent)))
  t.is(r.status, 0, show(r))
}

/** A request for `host` through `router` is answered by backend `version`. */
async function routes(t: ExecutionContext, router: RouterNode, host: string, version: string) {
  const r = await ask(router.port, host)
  t.is(`${r.status} ${r.body}`, `200 ${version}`, `router ${router.name}: ${r.err}`)
}

/** Waits until no stream of the router is open: it noticed that namerd is gone. */
function untilCutOff(router: RouterNode): Promise<void> {
  return eventually(`router ${router.name} to lose namerd`, async () => {
    const { streams } = await interpreterState(router)
    return streams.length > 0 && streams.every((s) => s.state !== 'open')
  })
}

/** 200 requests through the load's router all reach `version`. */
async function allOn(t: ExecutionContext, load: Load, version: string): Promise<void> {
  const tally = await load.measure(200)
  t.deepEqual(tally.answers, { [version]: 200 }, `${tally.failed}`)
}
