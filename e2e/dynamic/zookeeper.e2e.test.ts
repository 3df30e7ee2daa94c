/**
 * namerd replicas on one ZooKeeper agree, end to end with real processes: router A follows
 * namerd 1, router B follows namerd 2, and what one replica is told reaches the routers of the
 * other only through ZooKeeper. Then ZooKeeper crashes (`kill -9`) under load and comes back on
 * the same port and data: the routers never fail a request, and namerd 2's watch recovers.
 */
import test, { type ExecutionContext } from 'ava'
import { failsWith, show } from '../../testing/namerctl/harness.js'
import { eventually } from '../../testing/eventually.js'
import { canaryDtab, loadsOnV1, untilSplit } from '../../testing/fleet/admin.js'
import { NAMESPACE, startFleet, type Fleet } from '../../testing/fleet/fleet.js'
import { Load, shareOf } from '../../testing/fleet/load.js'

/**
 * Requests per router after each step, and how many points the v2 share may be off the weight.
 * 2,000 keeps the file short; at 50 % the 5-point band is still 4.5 standard deviations of a fair
 * split (about 1 run in 100,000 per measurement would fail by chance).
 */
const MEASURED = 2000
const POINTS = 5

/** The shifts, each written by namerctl through namerd `via + 1` (router A follows namerd 1). */
const SHIFTS = [
  { via: 0, percent: 50 },
  { via: 0, percent: 100 },
  // Through namerd 2: router A sees it only if namerd 1 learns it from ZooKeeper.
  { via: 1, percent: 20 },
]

test('ZooKeeper: two namerd replicas agree under load, and through a ZooKeeper crash', async (t) => {
  t.timeout(120_000)
  const fleet = await startFleet(t, { store: 'zk' })
  await write(t, fleet, 0, 'create', 0)
  const loads = await loadsOnV1(t, fleet.routers)
  await checkSplits(t, loads, 0)

  for (const { via, percent } of SHIFTS) {
    for (const l of loads) l.start()
    await write(t, fleet, via, 'update', percent)
    await Promise.all(fleet.routers.map((r) => untilSplit(r, percent)))
    await moreLoad(loads, 50)
    await Promise.all(loads.map((l) => l.stop()))
    await checkSplits(t, loads, percent)
  }

  for (const l of loads) l.start()
  await fleet.store.server.kill()
  await untilReachable(fleet, false)
  const refused = await fleet.ctl('dtab', 'update', NAMESPACE, fleet.dtabFile(canaryDtab(100)))
  failsWith(t, refused, 8, /dtab store io\.l5d\.zk is unreachable/)
  await moreLoad(loads, 100)

  await fleet.store.server.start()
  const backAt = Date.now()
  await untilReachable(fleet, true)
  t.log(`both namerds reached ZooKeeper again ${Date.now() - backAt} ms after it was ready`)
  // Two writes through namerd 1: namerd 2 may learn the first from the read it makes after
  // reconnecting (that read re-arms its watch), but the second only through that watch.
  for (const percent of [50, 100]) {
    await write(t, fleet, 0, 'update', percent)
    await Promise.all(fleet.routers.map((r) => untilSplit(r, percent)))
  }
  await moreLoad(loads, 50)
  const background = await Promise.all(loads.map((l) => l.stop()))
  for (const l of loads) {
    const tally = await l.measure(200)
    t.deepEqual(tally.answers, { v2: 200 }, `${tally.failed}`)
  }
  const total = background.reduce((sum, b) => sum + b.total, 0)
  t.log(`background load during the shifts and the crash: ${total} requests`)
  for (const b of background) t.is(b.failures, 0, `failed requests: ${b.failed}`)
})

/** `namerctl dtab create|update shop` with the canary dtab at `v2Percent`, through namerd `via+1`. */
async function write(t: ExecutionContext, fleet: Fleet, via: number, verb: string, v2: number) {
  const run = await fleet.ctlAt(via, 'dtab', verb, NAMESPACE, fleet.dtabFile(canaryDtab(v2)))
  t.is(run.status, 0, show(run))
}

/** Sends MEASURED requests through each router; the v2 share is within POINTS of `percent`. */
async function checkSplits(t: ExecutionContext, loads: readonly Load[], percent: number) {
  const tallies = await Promise.all(loads.map((l) => l.measure(MEASURED)))
  tallies.forEach((tally, i) => {
    const router = i === 0 ? 'A' : 'B'
    t.log(`${percent} %: router ${router} sent ${(shareOf(tally, 'v2') * 100).toFixed(2)} % to v2`)
    t.is(tally.failures, 0, `router ${router} at ${percent} %: ${tally.failed}`)
    // In integers, so that exactly 5 points off (900 of 2,000 for 50 %) is within.
    const off = Math.abs((tally.answers.v2 ?? 0) * 100 - MEASURED * percent)
    t.true(off <= MEASURED * POINTS, `router ${router}: ${tally.answers.v2} of ${MEASURED} on v2`)
  })
}

/** Waits until every load has sent `n` more background requests. */
function moreLoad(loads: readonly Load[], n: number): Promise<void> {
  const seen = loads.map((l) => l.background.total)
  const enough = () => loads.every((l, i) => l.background.total >= (seen[i] ?? 0) + n)
  return eventually(`${n} more background requests on each router`, enough, 30_000)
}

/** Waits until every namerd reports its store reachable (or not). */
function untilReachable(fleet: Fleet, reachable: boolean): Promise<void> {
  const all = async () => {
    const now = await Promise.all(fleet.namerds.map((n) => n.storeReachable()))
    return now.every((r) => r === reachable)
  }
  return eventually(`every namerd to see ZooKeeper ${reachable ? 'up' : 'down'}`, all, 30_000, 100)
}
