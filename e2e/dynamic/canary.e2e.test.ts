/**
 * The canary, end to end with real processes: namerctl writes each step through namerd 1; router
 * A follows namerd 1 and router B follows namerd 2, which learns the change only through etcd
 * (the replicas agree). Load runs on both routers during every shift; after each one, both
 * routers must hold the new tree and split 10,000 requests each by its weights.
 */
import test, { type ExecutionContext } from 'ava'
import { show } from '../../testing/namerctl/harness.js'
import { eventually } from '../../testing/eventually.js'
import { canaryDtab, loadsOnV1, untilSplit } from '../../testing/fleet/admin.js'
import { NAMESPACE, startFleet } from '../../testing/fleet/fleet.js'
import { Load, shareOf, type Tally } from '../../testing/fleet/load.js'

/**
 * Requests per router after each step, and how many percentage points the v2 share may be off
 * the weight. The target is 5,000 requests within 2 points; at 50 % that band is only 2.8
 * standard deviations of a fair split, so about 1 run in 100 (two routers) would fail by chance
 * alone. 10,000 requests make it 4 deviations (about 1 run in 10,000) and a stricter claim.
 */
const MEASURED = 10_000
const POINTS = 2

test('a canary 0 → 10 → 50 → 100 % through namerctl: both routers follow, no failed request', async (t) => {
  t.timeout(180_000)
  const fleet = await startFleet(t)
  const created = await fleet.ctl('dtab', 'create', NAMESPACE, fleet.dtabFile(canaryDtab(0)))
  t.is(created.status, 0, show(created))
  const loads = await loadsOnV1(t, fleet.routers)
  await checkSplits(t, loads, 0)

  for (const percent of [10, 50, 100]) {
    for (const l of loads) l.start()
    const file = fleet.dtabFile(canaryDtab(percent))
    const updated = await fleet.ctl('dtab', 'update', NAMESPACE, file)
    t.is(updated.status, 0, show(updated))
    const updatedAt = Date.now()
    await Promise.all(fleet.routers.map((r) => untilSplit(r, percent)))
    t.log(`${percent} %: both routers held it ${Date.now() - updatedAt} ms after namerctl exited`)
    // Some load after the change as well, so that it spans the whole shift.
    const seen = loads.map((l) => l.background.total)
    await Promise.all(loads.map((l, i) => until(() => l.background.total >= (seen[i] ?? 0) + 50)))
    await Promise.all(loads.map((l) => l.stop()))
    await checkSplits(t, loads, percent)
  }

  const background = loads.map((l) => l.background)
  const total = background.reduce((sum, b) => sum + b.total, 0)
  t.log(`background load during the shifts: ${total} requests`)
  for (const b of background) t.is(b.failures, 0, `failures during the shifts: ${b.failed}`)
  t.true(total > 500, `the background load sent only ${total} requests`)
})

/** Sends MEASURED requests through each router and checks the v2 share against `percent`. */
async function checkSplits(
  t: ExecutionContext,
  loads: readonly Load[],
  percent: number,
): Promise<void> {
  const tallies: Tally[] = await Promise.all(loads.map((l) => l.measure(MEASURED)))
  tallies.forEach((tally, i) => {
    const router = i === 0 ? 'A' : 'B'
    const share = shareOf(tally, 'v2')
    t.log(`${percent} %: router ${router} sent ${(share * 100).toFixed(2)} % to v2`)
    t.is(tally.failures, 0, `router ${router} at ${percent} %: ${tally.failed}`)
    t.is(tally.total, MEASURED)
    if (percent === 0 || percent === 100) {
      // A weight of 0 is never picked: the split is exact at the ends.
      t.is(share, percent / 100, `router ${router} at ${percent} %`)
    } else {
      // In integers, so that exactly 2 points off (4,800 of 10,000 for 50 %) is within.
      const off = Math.abs((tally.answers.v2 ?? 0) * 100 - MEASURED * percent)
      t.true(off <= MEASURED * POINTS, `router ${router}: ${share} on v2 for ${percent} %`)
    }
  })
}

function until(check: () => boolean): Promise<void> {
  return eventually('more background requests', check, 30_000)
}
