import test from 'ava'
import { MetricsRegistry } from '../metrics/index.js'
import { answerAsks, gatherer, type Channel } from './metrics.js'

/**
 * Workers joined by an in-memory relay that does what the primary does (workers-cluster.ts),
 * with JSON in between as the IPC channel's serialization; a `silent` worker never answers (a
 * worker being restarted).
 */
function workers(n: number, silent: ReadonlySet<number> = new Set()): Channel[] {
  const listeners: ((msg: unknown) => void)[][] = Array.from({ length: n }, () => [])
  const deliver = (to: number, msg: unknown): void => {
    const wire: unknown = JSON.parse(JSON.stringify(msg))
    setImmediate(() => listeners[to]?.forEach((l) => l(wire)))
  }
  return listeners.map((own, me) => ({
    onMessage: (l) => void own.push(l),
    send(msg) {
      if (msg.t === 'router.metrics.ask') {
        for (let w = 0; w < n; w++) if (w !== me) deliver(w, { ...msg, from: me })
      } else if (!silent.has(me) && msg.to !== undefined) {
        deliver(msg.to, { t: msg.t, id: msg.id, entries: msg.entries })
      }
    },
  }))
}

function registry(requests: number, lagMs: number): MetricsRegistry {
  const m = new MetricsRegistry({ snapshotIntervalMs: 0, defaultMetrics: false })
  const srv = m.router('edge').server('0.0.0.0', 4140)
  srv.requests = requests
  srv.latency.record(requests)
  m.snapshot()
  m.gauge('rt/edge/interpreter/io.l5d.namerd.http/update_lag_ms', () => lagMs)
  m.gauge('odd', () => NaN)
  return m
}

/**
 * Three workers' registries; worker 0 gathers. The deadline is generous (a slow machine): a
 * scrape ends as soon as every worker has answered, so only the silent-worker test waits it out.
 */
function cluster3(silent?: ReadonlySet<number>, deadlineMs = 10_000): MetricsRegistry {
  const channels = workers(3, silent)
  const regs = [registry(100, 0), registry(20, 700), registry(3, 50)]
  regs.forEach((m, i) => answerAsks(m, channels[i] as Channel))
  const admin = regs[0] as MetricsRegistry
  admin.gatherWith(gatherer(admin, channels[0] as Channel, { workers: 3, deadlineMs }))
  return admin
}

test('the admin worker scrapes every worker, merged, and says how many answered', async (t) => {
  const admin = cluster3()
  const body = admin.metricsJson({}, await admin.scrape()).body
  const json = JSON.parse(body) as Record<string, number | null>
  t.is(json['rt/edge/server/0.0.0.0/4140/requests'], 123)
  t.is(json['rt/edge/server/0.0.0.0/4140/request_latency_ms.count'], 3)
  t.is(json['rt/edge/server/0.0.0.0/4140/request_latency_ms.max'], 100)
  t.is(json['rt/edge/server/0.0.0.0/4140/request_latency_ms.min'], 3)
  t.is(json['rt/edge/interpreter/io.l5d.namerd.http/update_lag_ms'], 700)
  t.is(json['odd'], null, 'NaN (null over IPC) stays NaN, shown as null')
  t.is(json['workers/reporting'], 3)
  t.is(json['workers/configured'], 3)
})

test('a worker that does not answer before the deadline is left out, and the gauges say so', async (t) => {
  const admin = cluster3(new Set([1]), 1000)
  const prom = await admin.prometheus()
  t.true(prom.includes('rt:server:requests{rt="edge", server="0.0.0.0/4140"} 103'), prom)
  t.true(prom.includes('workers:reporting 2.0\n'), prom)
  t.true(prom.includes('workers:configured 3.0\n'), prom)
})

test('concurrent scrapes each get every answer', async (t) => {
  const admin = cluster3()
  const scrapes = await Promise.all([admin.scrape(), admin.scrape(), admin.scrape()])
  for (const entries of scrapes) {
    const requests = entries.find((e) => e.path.join('/').endsWith('4140/requests'))
    t.like(requests, { kind: 'counter', value: 123 })
  }
})
