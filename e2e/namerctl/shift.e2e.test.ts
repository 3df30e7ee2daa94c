/**
 * `namerctl dtab shift` end to end: namerd on a real etcd, two routers following it, real
 * backends under a steady load through both routers, the figures from the routers' admin
 * servers (listed, or named by an io.l5d.fs file that namerd binds) or from a real Prometheus
 * scraping them, and the real namerctl binary.
 */
import test from 'ava'
import { spawn } from 'node:child_process'
import {
  canaryBackend,
  inet,
  startStack,
  steadyLoad,
  type CanaryStack,
} from '../../testing/canary/stack.js'
import { eventually } from '../../testing/eventually.js'
import { namerctl, namerctlBin, runEnv, show, type Run } from '../../testing/namerctl/harness.js'
import { NamerdApi } from '../../testing/namerctl/namerd-api.js'
import { Cleanups } from '../../testing/namerctl/setup.js'

const cleanups = new Cleanups()
let stack: CanaryStack
let api: NamerdApi
test.before(async () => {
  stack = await startStack(cleanups)
  api = new NamerdApi(stack.namerd.api)
})
test.after.always(() => cleanups.run())

interface Event {
  event: string
  step?: number
  weight?: number
  verdict?: string
  reason?: string
}

const events = (r: Run): Event[] =>
  r.stdout
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Event)

type Source = 'admin' | 'admin-path' | 'prometheus'

function sourceArgs(source: Source): string[] {
  if (source === 'admin') return ['--admin', ...stack.admins]
  if (source === 'admin-path') return ['--admin-path', stack.adminPath]
  return ['--prometheus', stack.prometheus.url]
}

/** The shift's flags: quick steps, a low request minimum, figures from `source`. */
function shiftArgs(prefix: string, to: string, source: Source, more: string[] = []) {
  const from = sourceArgs(source)
  const steps = ['--steps', '10,50,100', '--interval', source === 'prometheus' ? '3s' : '1500ms']
  // No latency gate unless the test is about latency: a busy machine makes any p99 noisy.
  const gates = ['--gate', 'requests >= 20', '--gate', 'success >= baseline - 1%']
  return [
    'dtab',
    'shift',
    'shop',
    prefix,
    '--to',
    to,
    ...steps,
    ...gates,
    ...more,
    ...from,
    '--json',
    '--base-url',
    stack.namerd.api,
  ]
}

async function dstOf(prefix: string): Promise<string | undefined> {
  return (await api.must('shop')).dtab.findLast((d) => d.prefix === prefix)?.dst
}

async function historyMessages(): Promise<string[]> {
  const r = await fetch(`${stack.namerd.api}/api/1/dtabs/shop/history`)
  return ((await r.json()) as Array<{ message?: string }>).map((e) => e.message ?? '')
}

test.serial(
  'a healthy canary: the shift reaches 100 % with no failed request, every step in the history',
  async (t) => {
    const [v1, v2] = [await canaryBackend(t, 'good-v1'), await canaryBackend(t, 'good-v2')]
    await api.put('shop', `/svc/good => ${inet(v1.port)}`)
    const load = steadyLoad(stack.routers, 'good')
    await eventually('v1 has traffic', () => (load.byBackend.get('good-v1') ?? 0) > 50)
    const r = await namerctl(shiftArgs('/svc/good', inet(v2.port), 'admin'))
    await eventually('v2 takes all', () => load.byBackend.has('good-v2'))
    await load.stop()
    t.is(r.status, 0, show(r))
    t.deepEqual(
      events(r)
        .filter((e) => e.event === 'step')
        .map((e) => e.weight),
      [10, 50, 100],
    )
    t.is(await dstOf('/svc/good'), inet(v2.port))
    t.is(load.failed, 0, `${load.failed} of ${load.total} failed`)
    const shifts = (await historyMessages()).filter((m) => m.startsWith('shift /svc/good'))
    t.is(shifts.length, 3)
    t.regex(shifts[2] ?? '', /100% \(step 3 of 3\), done/)
  },
)

test.serial(
  'a canary answering 5 % errors: rolled back at the first gate (Prometheus), the damage bounded',
  async (t) => {
    const v1 = await canaryBackend(t, 'err-v1')
    const v2 = await canaryBackend(t, 'err-v2', 0, 20)
    await api.put('shop', `/svc/err => ${inet(v1.port)}`)
    const load = steadyLoad(stack.routers, 'err')
    await eventually('v1 has traffic', () => (load.byBackend.get('err-v1') ?? 0) > 50)
    const before = load.total
    const started = Date.now()
    const r = await namerctl(shiftArgs('/svc/err', inet(v2.port), 'prometheus'))
    const seconds = (Date.now() - started) / 1000
    const sent = load.total - before
    await load.stop()
    t.is(r.status, 11, show(r))
    t.regex(
      r.stderr,
      /rolled back at 10% \(step 1 of 3\): success [\d.]+% is more than 1 points below/,
    )
    t.deepEqual(
      events(r)
        .filter((e) => e.event === 'step')
        .map((e) => e.weight),
      [10],
    )
    t.is(await dstOf('/svc/err'), inet(v1.port))
    // One step at 10 % for the shift's duration, 1 in 20 of the canary's requests failing.
    const bound = Math.ceil(sent * 0.1 * 0.05 * 2) + 3
    t.true(load.failed <= bound, `${load.failed} failed of ${sent} in ${seconds} s; bound ${bound}`)
    t.true(load.failed > 0, 'the canary did fail some')
    const messages = await historyMessages()
    t.regex(messages.at(-2) ?? '', /^shift \/svc\/err to .*: 10% \(step 1 of 3\)/)
    t.regex(messages.at(-1) ?? '', /^shift \/svc\/err to .*: rolled back: success/)
  },
)

test.serial(
  "--admin-path: the routers' admin servers named by a file namerd binds; a path naming none stops before any write",
  async (t) => {
    const [v1, v2] = [await canaryBackend(t, 'path-v1'), await canaryBackend(t, 'path-v2')]
    await api.put('shop', `/svc/path => ${inet(v1.port)}`)
    const version = (await api.must('shop')).version
    const args = shiftArgs('/svc/path', inet(v2.port), 'admin-path')
    const nobody = args.map((a) => (a === stack.adminPath ? '/#/io.l5d.fs/nobody' : a))
    const twoSources = await namerctl([...nobody, '--prometheus', stack.prometheus.url])
    t.is(twoSources.status, 2, show(twoSources))
    t.regex(twoSources.stderr, /--admin URL\.\.\., --admin-path PATH or --prometheus URL/)
    const none = await namerctl(nobody)
    t.is(none.status, 4, show(none))
    t.is(
      none.stderr,
      "namerctl: --admin-path /#/io.l5d.fs/nobody (bound in dtab shop) names no router's admin server\n",
    )
    t.is((await api.must('shop')).version, version, 'nothing written')
    const load = steadyLoad(stack.routers, 'path')
    await eventually('v1 has traffic', () => (load.byBackend.get('path-v1') ?? 0) > 50)
    const r = await namerctl(args)
    await load.stop()
    t.is(r.status, 0, show(r))
    const gates = events(r).filter((e) => e.event === 'gate')
    t.deepEqual(
      gates.map((e) => e.verdict),
      ['pass', 'pass'],
    )
    t.is(await dstOf('/svc/path'), inet(v2.port))
    t.is(load.failed, 0)
  },
)

test.serial('a canary ten times slower: rolled back on the latency gate', async (t) => {
  // 100 ms against 1 s: the backends' own delays dominate whatever a busy machine adds.
  const v1 = await canaryBackend(t, 'slow-v1', 100)
  const v2 = await canaryBackend(t, 'slow-v2', 1000)
  await api.put('shop', `/svc/slow => ${inet(v1.port)}`)
  const load = steadyLoad(stack.routers, 'slow', 24)
  await eventually('v1 has traffic', () => (load.byBackend.get('slow-v1') ?? 0) > 50)
  const latency = ['--gate', 'p99 <= 2 * baseline']
  const r = await namerctl(shiftArgs('/svc/slow', inet(v2.port), 'admin', latency))
  await load.stop()
  t.is(r.status, 11, show(r))
  t.regex(r.stderr, /p99 [\d.]+ ms is over 2 × the baseline's [\d.]+ ms/)
  t.is(await dstOf('/svc/slow'), inet(v1.port))
  t.is(load.failed, 0)
})

test.serial(
  'killed mid-shift: the dtab stays at the last step, a second shift is refused, --resume finishes',
  async (t) => {
    const [v1, v2] = [await canaryBackend(t, 'kill-v1'), await canaryBackend(t, 'kill-v2')]
    await api.put('shop', `/svc/kill => ${inet(v1.port)}`)
    const load = steadyLoad(stack.routers, 'kill')
    t.teardown(() => load.stop())
    await eventually('v1 has traffic', () => (load.byBackend.get('kill-v1') ?? 0) > 50)
    const child = spawn(
      process.execPath,
      [namerctlBin, ...shiftArgs('/svc/kill', inet(v2.port), 'admin')],
      {
        env: runEnv(),
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    )
    let out = ''
    child.stdout.on('data', (b: Buffer) => (out += b.toString()))
    const exited = new Promise((resolve) => child.once('close', resolve))
    const seen = (what: string, text: string) =>
      eventually(what, () => out.includes(text), 20_000).catch((e: Error) => {
        throw new Error(`${e.message}; namerctl printed:\n${out}`)
      })
    await seen('step 1 written', '"event":"step","step":1')
    const second = await namerctl(shiftArgs('/svc/kill', inet(v2.port), 'admin'))
    t.is(second.status, 12, show(second))
    t.regex(second.stderr, /has a shift under way or stopped half-way/)
    await seen('step 2 written', '"event":"step","step":2')
    child.kill('SIGKILL')
    await exited
    t.regex((await dstOf('/svc/kill')) ?? '', /^50\.00\*.* & 50\.00\*/)
    const resume = [
      'dtab',
      'shift',
      'shop',
      '--resume',
      '--interval',
      '1500ms',
      '--gate',
      'requests >= 20',
      '--admin',
      ...stack.admins,
      '--json',
      '--base-url',
      stack.namerd.api,
    ]
    const r = await namerctl(resume)
    t.is(r.status, 0, show(r))
    t.deepEqual(
      events(r).map((e) => e.event),
      ['start', 'gate', 'step', 'done'],
    )
    t.is(await dstOf('/svc/kill'), inet(v2.port))
    t.is(load.failed, 0)
  },
)

test.serial(
  'shift --dry-run: the steps, and what the first would move for the live names; nothing written',
  async (t) => {
    const [v1, v2] = [await canaryBackend(t, 'dry-v1'), await canaryBackend(t, 'dry-v2')]
    await api.put('shop', `/svc/dry => ${inet(v1.port)}`)
    const load = steadyLoad(stack.routers, 'dry')
    await eventually('v1 has traffic', () => (load.byBackend.get('dry-v1') ?? 0) > 20)
    await load.stop()
    const before = (await api.must('shop')).version
    const args = ['dtab', 'shift', 'shop', '/svc/dry', '--to', inet(v2.port), '--steps', '10,100']
    const r = await namerctl([...args, '--dry-run', '--json', '--base-url', stack.namerd.api])
    t.is(r.status, 0, show(r))
    const out = JSON.parse(r.stdout) as {
      plan: Array<{ step: number; weight: number; dst: string }>
      first: { live: { names: Array<{ path: string; after: { split: Record<string, number> } }> } }
    }
    t.deepEqual(out.plan, [
      { step: 1, weight: 10, dst: `90 * ${inet(v1.port)} & 10 * ${inet(v2.port)}` },
      { step: 2, weight: 100, dst: inet(v2.port) },
    ])
    const dry = out.first.live.names.find((n) => n.path === '/svc/dry')
    t.deepEqual(dry?.after.split, { [inet(v1.port)]: 0.9, [inet(v2.port)]: 0.1 })
    t.is((await api.must('shop')).version, before, 'nothing written')
    const text = await namerctl([...args, '--dry-run', '--base-url', stack.namerd.api])
    t.is(text.status, 0, show(text))
    t.regex(
      text.stdout,
      /^step 1: \/svc\/dry => 90 \* .* & 10 \* .*\nstep 2: \/svc\/dry => .*\n\nThe first step:\n/,
    )
    t.true(text.stdout.includes(`${inet(v1.port)} 100% → 90%`), text.stdout)
    t.true(text.stdout.includes(`${inet(v2.port)} 0% → 10%`), text.stdout)
  },
)
