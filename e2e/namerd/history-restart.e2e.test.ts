/**
 * Dtab history across restarts, end to end, on each store: the real namerd on io.l5d.file,
 * io.l5d.etcd and io.l5d.zk, written to through the real namerctl with `-m`; namerd stopped and
 * started again (on etcd, also etcd killed and started again on its data under a running namerd).
 * After each, `namerctl dtab history --json` gives back the same steps (versions, times,
 * messages, what each changed), and the next write adds one step on top of them.
 */
import test, { type ExecutionContext } from 'ava'
import { join } from 'node:path'
import { eventually } from '../../testing/eventually.js'
import { namerctl, show, type Run } from '../../testing/namerctl/harness.js'
import { startNamerd, tempDir, type NamerdProcess } from '../../testing/namerd/process.js'
import { startEtcd } from '../../testing/servers/etcd-server.js'
import { startZooKeeper } from '../../testing/servers/zk-server.js'

const NS = 'users'

/** The writes, in order: `dtab set NS prefix dst -m message` (the first one creates NS). */
const WRITES = [
  { prefix: '/svc/users', dst: '/srv/users-v1', message: 'users on v1' },
  { prefix: '/svc/orders', dst: '/srv/orders', message: 'orders added' },
  { prefix: '/svc/users', dst: '/srv/users-v2', message: 'users to v2' },
] as const

/** The dtab after each write and the message it carries, newest first (as history lists them). */
const EXPECTED = [
  ['/svc/users=>/srv/users-v2;/svc/orders=>/srv/orders', 'users to v2'],
  ['/svc/users=>/srv/users-v1;/svc/orders=>/srv/orders', 'orders added'],
  ['/svc/users=>/srv/users-v1', 'users on v1'],
]

interface Step {
  readonly version: string
  readonly dtab: string | null
  readonly at: string
  readonly message?: string
  readonly changes: readonly { op: string; dentry: string }[]
}

function ctl(namerd: NamerdProcess, ...args: string[]): Promise<Run> {
  return namerctl([...args, '--base-url', namerd.api])
}

async function set(
  t: ExecutionContext,
  namerd: NamerdProcess,
  w: { prefix: string; dst: string; message: string },
): Promise<void> {
  const r = await ctl(namerd, 'dtab', 'set', NS, w.prefix, w.dst, '--create', '-m', w.message)
  t.is(r.status, 0, show(r))
}

/** `namerctl dtab history NS --json`: the steps, newest first. */
async function history(namerd: NamerdProcess): Promise<Step[]> {
  const r = await ctl(namerd, 'dtab', 'history', NS, '--json')
  if (r.status !== 0) throw new Error(show(r))
  return JSON.parse(r.stdout) as Step[]
}

const summary = (steps: readonly Step[]) => steps.map((s) => [s.dtab, s.message])

/**
 * Starts namerd with `storage`, makes the WRITES, stops namerd (SIGTERM, or SIGKILL when
 * `crash`) and starts it again: its history must be the one read before. The running namerd and
 * that history.
 */
async function writeAndRestart(
  t: ExecutionContext,
  storage: Record<string, unknown>,
  crash = false,
): Promise<{ namerd: NamerdProcess; before: Step[] }> {
  const dir = tempDir(t)
  const first = await startNamerd(t, dir, { storage })
  for (const w of WRITES) await set(t, first, w)
  const before = await history(first)
  t.deepEqual(summary(before), EXPECTED, 'every write is a step, with its message')
  if (crash) await first.kill()
  else t.is(await first.stop(), 0, first.output())
  const namerd = await startNamerd(t, dir, { storage })
  t.deepEqual(await history(namerd), before, 'the same history after namerd restarted')
  return { namerd, before }
}

/** One more write through `namerd`: history is one step longer, the rest unchanged. */
async function oneMore(t: ExecutionContext, namerd: NamerdProcess, before: Step[]): Promise<void> {
  await set(t, namerd, { prefix: '/svc/users', dst: '/srv/users-v3', message: 'users to v3' })
  const after = await history(namerd)
  t.deepEqual(summary(after.slice(0, 1)), [
    ['/svc/users=>/srv/users-v3;/svc/orders=>/srv/orders', 'users to v3'],
  ])
  t.deepEqual(after.slice(1), before, 'the new step is on top of the old ones')
  t.deepEqual(
    after[0]?.changes.filter((c) => c.op !== ' '),
    [
      { op: '-', dentry: '/svc/users => /srv/users-v2' },
      { op: '+', dentry: '/svc/users => /srv/users-v3' },
    ],
  )
}

test('io.l5d.file: history kept when namerd stops, and when it is killed', async (t) => {
  const dir = tempDir(t)
  const storage = { kind: 'io.l5d.file', path: join(dir, 'dtabs.json') }
  const { namerd, before } = await writeAndRestart(t, storage)
  await namerd.kill()
  const again = await startNamerd(t, tempDir(t), { storage })
  t.deepEqual(await history(again), before, 'the same history after namerd was killed')
  await oneMore(t, again, before)
})

test('io.l5d.etcd: history kept when namerd restarts, and when etcd is killed under it', async (t) => {
  const etcd = await startEtcd()
  t.teardown(() => etcd.cleanup())
  const storage = { kind: 'io.l5d.etcd', endpoints: [etcd.endpoint], pathPrefix: '/e2e/history' }
  const { namerd, before } = await writeAndRestart(t, storage)
  await etcd.kill()
  const lost = await ctl(namerd, 'dtab', 'set', NS, '/svc/lost', '/srv/lost', '-m', 'lost')
  t.is(lost.status, 8, `a write while etcd is down is refused (503): ${show(lost)}`)
  await etcd.start()
  await eventually(
    'namerd reads etcd again',
    async () => (await ctl(namerd, 'dtab', 'history', NS, '--json')).status === 0,
    20_000,
  )
  t.deepEqual(await history(namerd), before, 'the same history after etcd came back')
  await oneMore(t, namerd, before)
})

test('io.l5d.zk: history kept when namerd is killed and started again', async (t) => {
  const zk = await startZooKeeper()
  t.teardown(() => zk.cleanup())
  const zkAddrs = [{ host: '127.0.0.1', port: zk.port }]
  const storage = { kind: 'io.l5d.zk', zkAddrs, pathPrefix: '/e2e/history' }
  const { namerd, before } = await writeAndRestart(t, storage, true)
  await oneMore(t, namerd, before)
})
