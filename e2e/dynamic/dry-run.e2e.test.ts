/**
 * The dry run against live names, end to end with real processes: a router follows namerd
 * (`io.l5d.namerd.http`) and has routed two names; `namerctl dtab set … --dry-run` predicts the
 * split of the one it moves and counts the other untouched, changing nothing; then the real
 * `set`, and 10,000 requests through the router land on the backends as predicted.
 */
import test from 'ava'
import { show } from '../../testing/namerctl/harness.js'
import { USERS, untilSplit } from '../../testing/fleet/admin.js'
import { NAMESPACE, startFleet } from '../../testing/fleet/fleet.js'
import { Load, ask, shareOf } from '../../testing/fleet/load.js'

const V1 = '/#/io.l5d.fs/v1'
const V2 = '/#/io.l5d.fs/v2'
const CANARY = `90 * ${V1} & 10 * ${V2}`
/** Requests measured after the change, and how far (percentage points) a share may be off. */
const MEASURED = 10_000
const POINTS = 1.5

interface DryRunJson {
  readonly from: string
  readonly changes: readonly { op: string; dentry: string }[]
  readonly live: {
    readonly live: number
    readonly untouched: number
    readonly names: readonly {
      path: string
      before: { split: Record<string, number> }
      after: { split: Record<string, number> }
      changes: readonly string[]
    }[]
  }
}

test("set --dry-run predicts the split of the live names; the router's split then matches it", async (t) => {
  t.timeout(120_000)
  const fleet = await startFleet(t, { namerds: 1, routers: 1 })
  const router = fleet.routers[0]
  if (router === undefined) throw new Error('no router')
  const dtab = fleet.dtabFile(`/svc => /#/io.l5d.fs;\n${USERS} => ${V1};\n`)
  const created = await fleet.ctl('dtab', 'create', NAMESPACE, dtab)
  t.is(created.status, 0, show(created))
  // Two names live in namerd: users (v1, about to move) and v2 (the canary dtab leaves it).
  for (const [host, body] of [
    ['users', 'v1'],
    ['v2', 'v2'],
  ] as const) {
    const r = await ask(router.port, host)
    t.is(`${r.status} ${r.body}`, `200 ${body}`, `${host}: ${r.err}`)
  }

  const set = ['dtab', 'set', NAMESPACE, USERS, CANARY, '--dry-run']
  const dry = await fleet.ctl(...set, '--json')
  t.is(dry.status, 0, show(dry))
  const report = JSON.parse(dry.stdout) as DryRunJson
  t.deepEqual(
    report.changes.filter((c) => c.op !== ' '),
    [
      { op: '-', dentry: `${USERS} => ${V1}` },
      { op: '+', dentry: `${USERS} => 90.00*${V1} & 10.00*${V2}` },
    ],
  )
  t.like(report.live, { live: 2, untouched: 1 })
  const [users] = report.live.names
  t.is(users?.path, USERS)
  t.deepEqual(users?.before.split, { [V1]: 1 })
  const predicted = users?.after.split ?? {}
  t.deepEqual(predicted, { [V1]: 0.9, [V2]: 0.1 })
  t.deepEqual(users?.changes, ['split', 'endpoints'])

  const text = await fleet.ctl(...set)
  t.is(text.status, 0, show(text))
  const [, live] = text.stdout.split('\n\n')
  t.is(live, `${USERS}: ${V1} 100% → 90%, ${V2} 0% → 10%\n2 live names, 1 untouched\n`)
  // Nothing was written: the router still sends every users request to v1.
  const still = await new Load(t, router.port).measure(200)
  t.deepEqual(still.answers, { v1: 200 }, still.failed.join('; '))

  const real = await fleet.ctl('dtab', 'set', NAMESPACE, USERS, CANARY)
  t.is(real.status, 0, show(real))
  await untilSplit({ ...router, name: 'A' }, 10)
  const tally = await new Load(t, router.port, { concurrency: 8 }).measure(MEASURED)
  t.is(tally.failures, 0, tally.failed.join('; '))
  for (const [id, version] of [
    [V1, 'v1'],
    [V2, 'v2'],
  ] as const) {
    const share = shareOf(tally, version)
    t.log(
      `${version}: predicted ${(predicted[id] ?? 0) * 100} %, routed ${(share * 100).toFixed(2)} %`,
    )
    t.true(Math.abs(share - (predicted[id] ?? 0)) * 100 <= POINTS, `${version} ${share}`)
  }
})
