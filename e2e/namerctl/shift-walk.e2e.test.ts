/**
 * The shift's walk against a real namerd (inMemory store), with figures scripted per step: the
 * figures are the one thing these tests choose; every write, version and history entry is
 * namerd's own.
 */
import test, { type ExecutionContext } from 'ava'
import { errorCode } from '../../lib/errors.js'
import { startNamerd, tempDir } from '../../testing/namerd/process.js'
import type { Namerd } from '../../namerctl/client.js'
import { readDtab, readHistory, updateDtab } from '../../namerctl/dtab-api.js'
import type { Figures, FigureSource } from '../../namerctl/canary/figures.js'
import { FiguresError } from '../../namerctl/canary/errors.js'
import { gatesOf } from '../../namerctl/canary/gates.js'
import { stateOf } from '../../namerctl/canary/progress.js'
import { runShift } from '../../namerctl/canary/shift.js'
import type { ShiftEvent } from '../../namerctl/canary/walk.js'

const V1 = '/$/inet/127.0.0.1/1001'
const V2 = '/$/inet/127.0.0.1/1002'
const healthy: Figures = { requests: 1000, failures: 0, p99Ms: 10 }

async function namerd(t: ExecutionContext, ns: string): Promise<Namerd> {
  const storage = { kind: 'io.l5d.inMemory', namespaces: { [ns]: `/svc/users=>${V1}` } }
  const n = await startNamerd(t, tempDir(t), { storage })
  return { base: n.api, timeoutMs: 10_000 }
}

/** Figures by who is asked (canary: V2's client) and the step being watched. */
function scripted(canary: (step: number) => Figures): FigureSource & { step: number } {
  const source = {
    name: 'scripted',
    step: 0,
    async open(clients: readonly string[]) {
      const isCanary = clients.includes(V2)
      const step = source.step
      return { read: async () => (isCanary ? canary(step) : healthy) }
    },
    close() {},
  }
  return source
}

function run(n: Namerd, source: ReturnType<typeof scripted>, events: ShiftEvent[], opts = {}) {
  const emit = (e: ShiftEvent): void => {
    events.push(e)
    if (e.event === 'step') source.step = e.step
  }
  const io = {
    source,
    gates: gatesOf([]),
    intervalMs: 100,
    maxWaits: 2,
    sleep: async () => {},
    stopped: () => false,
    emit,
  }
  const req = { prefix: '/svc/users', to: V2, steps: [10, 50, 100], resume: false, ...opts }
  return runShift(n, 'shop', req, { ...io, ...opts })
}

async function dentry(n: Namerd): Promise<string> {
  const d = await readDtab(n, 'shop')
  return d === 'absent' ? 'absent' : (d.dtab.find((e) => e.prefix === '/svc/users')?.dst ?? '')
}

test('a healthy canary: every step written by compare-and-swap and kept in the history', async (t) => {
  const n = await namerd(t, 'shop')
  const events: ShiftEvent[] = []
  await run(
    n,
    scripted(() => healthy),
    events,
  )
  t.is(await dentry(n), V2)
  t.deepEqual(
    events.filter((e) => e.event === 'step').map((e) => e.event === 'step' && e.weight),
    [10, 50, 100],
  )
  t.deepEqual(
    events.filter((e) => e.event === 'gate').map((e) => e.event === 'gate' && e.verdict),
    ['pass', 'pass'],
  )
  const past = await readHistory(n, 'shop')
  if (past === 'absent') return t.fail()
  const states = past.map(stateOf).slice(1)
  t.deepEqual(
    states.map((s) => [s?.step, s?.state]),
    [
      [1, 'step'],
      [2, 'step'],
      [3, 'done'],
    ],
  )
  t.is(past[1]?.dtab, `/svc/users=>90.00*${V1} & 10.00*${V2}`)
  t.is(states[0]?.start, past[0]?.version, 'the start is the version before the first write')
})

test('a canary with 5 % errors: rolled back at the first gate to the dtab it started from', async (t) => {
  const n = await namerd(t, 'shop')
  const events: ShiftEvent[] = []
  const failing = scripted(() => ({ requests: 1000, failures: 50, p99Ms: 10 }))
  const e = await t.throwsAsync(run(n, failing, events))
  t.is(errorCode(e), 'ERR_GATE_FAILED')
  t.regex(
    e?.message ?? '',
    /rolled back at 10% \(step 1 of 3\): success 95% is more than 0.5 points below the baseline's 100%/,
  )
  t.is(await dentry(n), V1)
  const past = await readHistory(n, 'shop')
  if (past === 'absent') return t.fail()
  t.is(past.at(-1)?.dtab, past[0]?.dtab, 'the dtab it started from')
  t.is(stateOf(past.at(-1))?.state, 'rolled-back')
  t.regex(past.at(-1)?.message ?? '', /^shift \/svc\/users to .*: rolled back: success 95%/)
})

test('a slow canary fails the latency gate; one without traffic is rolled back after --max-waits', async (t) => {
  const n = await namerd(t, 'shop')
  const slow = scripted(() => ({ requests: 1000, failures: 0, p99Ms: 100 }))
  const e = await t.throwsAsync(run(n, slow, []))
  t.regex(e?.message ?? '', /p99 100 ms is over 2 × the baseline's 10 ms/)
  const idle = scripted(() => ({ requests: 3, failures: 0, p99Ms: 10 }))
  const events: ShiftEvent[] = []
  const e2 = await t.throwsAsync(run(n, idle, events))
  t.regex(
    e2?.message ?? '',
    /3 of 100 requests on the canary after 2 intervals: not enough traffic/,
  )
  t.deepEqual(
    events.filter((x) => x.event === 'gate').map((x) => x.event === 'gate' && x.verdict),
    ['wait', 'wait'],
  )
  t.is(await dentry(n), V1)
})

test('figures that cannot be read fail the gate: the shift rolls back', async (t) => {
  const n = await namerd(t, 'shop')
  const source = scripted(() => healthy)
  const failing = {
    ...source,
    open: async () => ({
      read: async () => {
        throw new FiguresError('ERR_FIGURES_UNREACHABLE', 'http://127.0.0.1:1: connection refused')
      },
    }),
  }
  const e = await t.throwsAsync(run(n, failing as typeof source, []))
  t.regex(
    e?.message ?? '',
    /rolled back at 10% .*the figures could not be read: http:\/\/127.0.0.1:1: connection refused/,
  )
  t.is(await dentry(n), V1)
})

test('stopped half-way: a second shift is refused, --resume finishes it; a change by someone else stops it', async (t) => {
  const n = await namerd(t, 'shop')
  const source = scripted(() => healthy)
  let sleeps = 0
  const stop = async () => {
    if (++sleeps === 2) throw new Error('interrupted')
  }
  await t.throwsAsync(run(n, source, [], { sleep: stop }), { message: 'interrupted' })
  t.is(await dentry(n), `50.00*${V1} & 50.00*${V2}`)
  const again = await t.throwsAsync(run(n, source, []))
  t.is(errorCode(again), 'ERR_SHIFT_IN_PROGRESS')
  t.regex(again?.message ?? '', /at 50%, step 2 of 3/)
  const events: ShiftEvent[] = []
  await run(n, source, events, { resume: true, prefix: undefined, to: undefined })
  t.is(await dentry(n), V2)
  t.deepEqual(
    events.map((e) => e.event),
    ['start', 'gate', 'step', 'done'],
  )

  await updateDtab(n, 'shop', `/svc/users=>${V1}`, undefined)
  const meddled = scripted(() => healthy)
  const meddle = async () => {
    await updateDtab(n, 'shop', `/svc/users=>${V1};/x=>/y`, undefined)
  }
  const e = await t.throwsAsync(run(n, meddled, [], { sleep: meddle }))
  t.is(errorCode(e), 'ERR_VERSION_CONFLICT')
  t.regex(e?.message ?? '', /changed since the shift wrote version/)
})

test('a message that only claims to be a shift step blocks nothing; a real one stopped half-way does, after other writes too', async (t) => {
  const n = await namerd(t, 'shop')
  const forged = `hi ~shift~${JSON.stringify({ shift: 'x', prefix: '/svc/users', from: V1, to: V2, steps: [10, 100], step: 1, start: 'v', state: 'step' })}`
  t.is(await updateDtab(n, 'shop', `/svc/users=>${V1};/a=>/b`, undefined, forged), 'updated')
  let sleeps = 0
  const stop = async () => {
    if (++sleeps === 1) throw new Error('interrupted')
  }
  await t.throwsAsync(
    run(
      n,
      scripted(() => healthy),
      [],
      { sleep: stop },
    ),
    { message: 'interrupted' },
  )
  t.is(await dentry(n), `90.00*${V1} & 10.00*${V2}`, 'the forged step did not block the shift')
  // Someone writes elsewhere in the dtab: the shift stopped half-way is still not over.
  const cur = await readDtab(n, 'shop')
  if (cur === 'absent') return t.fail()
  const text = `/svc/users=>90.00*${V1} & 10.00*${V2};/a=>/c`
  t.is(await updateDtab(n, 'shop', text, cur.version), 'updated')
  const again = await t.throwsAsync(
    run(
      n,
      scripted(() => healthy),
      [],
    ),
  )
  t.is(errorCode(again), 'ERR_SHIFT_IN_PROGRESS')
  const events: ShiftEvent[] = []
  await run(
    n,
    scripted(() => healthy),
    events,
    { resume: true, prefix: undefined, to: undefined },
  )
  t.is(await dentry(n), V2)
  const after = await readDtab(n, 'shop')
  t.true(
    after !== 'absent' && after.dtab.some((d) => d.prefix === '/a' && d.dst === '/c'),
    'the other change stays',
  )
})

test('a rollback after someone wrote elsewhere puts the prefix back and keeps their change', async (t) => {
  const n = await namerd(t, 'shop')
  const meddle = async () => {
    const cur = await readDtab(n, 'shop')
    if (cur === 'absent') return
    const dtab = cur.dtab.map((d) => `${d.prefix}=>${d.dst}`).join(';')
    await updateDtab(n, 'shop', `${dtab};/x=>/y`, cur.version)
  }
  const failing = scripted(() => ({ requests: 1000, failures: 100, p99Ms: 10 }))
  const e = await t.throwsAsync(run(n, failing, [], { sleep: meddle }))
  t.is(errorCode(e), 'ERR_GATE_FAILED', e?.message)
  t.is(await dentry(n), V1)
  const cur = await readDtab(n, 'shop')
  t.true(cur !== 'absent' && cur.dtab.some((d) => d.prefix === '/x'), 'their change stays')
})

test('asked to stop while a step is judged: no further step; a baseline sharing the canary is refused', async (t) => {
  const n = await namerd(t, 'shop')
  let stop = false
  const source = scripted(() => healthy)
  const sleep = async () => {
    stop = true
  }
  const e = await t.throwsAsync(run(n, source, [], { sleep, stopped: () => stop }))
  t.is(errorCode(e), 'ERR_SHIFT_INTERRUPTED')
  t.regex(e?.message ?? '', /stays at 10% \(step 1 of 3\)/)
  t.is(await dentry(n), `90.00*${V1} & 10.00*${V2}`)
  const n2 = await namerd(t, 'shop')
  const both = await t.throwsAsync(run(n2, source, [], { from: `${V1} | ${V2}` }))
  t.regex(both?.message ?? '', /the canary and the baseline share/)
})
