// Attacks on the dashboard's sampler (issue 18): scrapes merged across `--workers` (a worker
// that misses the scrape's deadline, a restarted worker), a scrape that fails on the timer.
import test from 'ava'
import { setTimeout as sleep } from 'node:timers/promises'
import { MetricsRegistry } from '../../metrics/index.js'
import { answerAsks, gatherer, type Channel } from '../../workers/metrics.js'
import { DashboardSampler } from './sampler.js'

const registry = () => new MetricsRegistry({ snapshotIntervalMs: 0, defaultMetrics: false })

/**
 * Two workers joined as the primary relays them (JSON in between); worker 0 is the admin's and
 * gathers. While `silent.on`, worker 1 does not answer (busy past the deadline); `restart()`
 * replaces worker 1 by a new process's registry, its counters at zero.
 */
function twoWorkers() {
  const regs = [registry(), registry()]
  const silent = { on: false }
  const listeners: ((msg: unknown) => void)[][] = [[], []]
  const channel = (me: number): Channel => ({
    onMessage: (l) => void listeners[me]?.push(l),
    send(msg) {
      const to = msg.t === 'router.metrics.ask' ? 1 - me : msg.to
      if (to === undefined || (me === 1 && silent.on)) return
      const wire: unknown = JSON.parse(JSON.stringify({ ...msg, from: me }))
      setImmediate(() => listeners[to]?.forEach((l) => l(wire)))
    },
  })
  answerAsks(regs[1] as MetricsRegistry, channel(1))
  const restart = () => {
    listeners[1] = []
    regs[1] = registry()
    answerAsks(regs[1], channel(1))
  }
  const admin = regs[0] as MetricsRegistry
  const scrape = gatherer(admin, channel(0), { workers: 2, deadlineMs: 40 })
  return { regs, silent, restart, scrape }
}

/** `n` requests to `svc/users` ended on worker `m`'s router `edge`, through its one server. */
function serve(m: MetricsRegistry | undefined, n: number): void {
  const rt = (m as MetricsRegistry).router('edge')
  for (const s of [rt.server('0.0.0.0', 4140), rt.service('svc/users')]) {
    s.requests += n
    s.success += n
    for (let i = 0; i < n; i++) s.latency.record(1)
  }
}

const intervalMs = 100
/** At most 20 requests end per interval below: anything near 1,000/s is a jump. */
const TRUE_MAX_RPS = 1000

/**
 * Opens the dashboard on workers that served 100,000 requests, then runs `steps` intervals of
 * 10 requests per live worker, `step(i)` first; the router's history and svc/users' rates seen.
 */
async function watch(w: ReturnType<typeof twoWorkers>, steps: number, step: (i: number) => void) {
  serve(w.regs[0], 50_000)
  serve(w.regs[1], 50_000)
  const sampler = new DashboardSampler(w.scrape, { intervalMs })
  const services: number[] = []
  try {
    await sampler.read()
    for (let i = 0; i < steps; i++) {
      step(i)
      serve(w.regs[0], 10)
      serve(w.regs[1], 10)
      await sleep(intervalMs + 30)
      services.push((await sampler.read())[0]?.services.get('svc/users')?.rps ?? 0)
    }
    const routers = (await sampler.read())[0]?.history.map((f) => f.rps) ?? []
    return { routers, services }
  } finally {
    sampler.close()
  }
}

test('--workers: a worker that misses one scrape deadline does not make the rates jump', async (t) => {
  const w = twoWorkers()
  const seen = await watch(w, 4, (i) => (w.silent.on = i === 1))
  t.true(seen.routers.length >= 3, JSON.stringify(seen))
  t.true(Math.max(...seen.routers) < TRUE_MAX_RPS, `router req/s: ${JSON.stringify(seen.routers)}`)
  t.true(Math.max(...seen.services) < TRUE_MAX_RPS, `svc/users: ${JSON.stringify(seen.services)}`)
})

test('--workers: a worker late for the dashboard’s first scrape does not make the rates jump later', async (t) => {
  const w = twoWorkers()
  w.silent.on = true
  const seen = await watch(w, 3, () => (w.silent.on = false))
  t.true(seen.routers.length >= 1, JSON.stringify(seen))
  t.true(Math.max(...seen.routers) < TRUE_MAX_RPS, `router req/s: ${JSON.stringify(seen.routers)}`)
  t.true(Math.max(...seen.services) < TRUE_MAX_RPS, `svc/users: ${JSON.stringify(seen.services)}`)
})

test('--workers: a restarted worker (its counters back at zero) does not make the rates jump', async (t) => {
  const w = twoWorkers()
  const seen = await watch(w, 3, (i) => (i === 1 ? w.restart() : undefined))
  t.true(seen.routers.length >= 2, JSON.stringify(seen))
  t.true(Math.max(...seen.routers) < TRUE_MAX_RPS, `router req/s: ${JSON.stringify(seen.routers)}`)
  t.true(Math.max(...seen.services) < TRUE_MAX_RPS, `svc/users: ${JSON.stringify(seen.services)}`)
})

test('a scrape that fails on the sampler timer is not an unhandled rejection, and sampling goes on', async (t) => {
  const unhandled: unknown[] = []
  const record = (e: unknown) => void unhandled.push(e)
  // ava's own handler would fail the whole file; this one keeps the evidence for this test.
  process.on('unhandledRejection', record)
  t.teardown(() => void process.off('unhandledRejection', record))
  let calls = 0
  const sampler = new DashboardSampler(
    async () => {
      calls++
      if (calls === 2) throw new Error('scrape failed')
      return []
    },
    { intervalMs: 30 },
  )
  t.teardown(() => sampler.close())
  await sampler.read() // the first scrape; the timer's first one fails
  await sleep(200)
  t.true(calls >= 3, `sampling went on after the failure (${calls} scrapes)`)
  t.deepEqual(unhandled, [], 'no unhandled rejection (in a Node process, it is a crash)')
})
