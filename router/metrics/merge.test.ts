import test from 'ava'
import { seededRandom } from '../../testing/random.js'
import { Histogram } from './histogram.js'
import type { Entry } from './entry.js'
import { mergeEntries, mergeSummaries } from './merge.js'
import { formatPrometheus } from './prometheus.js'
import { MetricsRegistry } from './index.js'

/** A seeded PRNG, so failures reproduce. */
const prng = seededRandom

const counter = (path: string, value: number): Entry => ({
  path: path.split('/'),
  kind: 'counter',
  value,
})
const gauge = (path: string, value: number): Entry => ({
  path: path.split('/'),
  kind: 'gauge',
  value,
})

test('counters and gauges sum by path; paths only others have come after, in their order', (t) => {
  const merged = mergeEntries([
    [counter('rt/a/requests', 3), gauge('rt/a/pending', 1)],
    [counter('rt/b/requests', 7), counter('rt/a/requests', 4), gauge('rt/a/pending', 2)],
    [counter('rt/c/requests', 1), counter('rt/a/requests', 5)],
  ])
  t.deepEqual(merged, [
    counter('rt/a/requests', 12),
    gauge('rt/a/pending', 3),
    counter('rt/b/requests', 7),
    counter('rt/c/requests', 1),
  ])
})

test('an age gauge (update_lag_ms) takes the largest value; a kind clash keeps the first kind', (t) => {
  const lag = 'rt/r/interpreter/io.l5d.namerd.http/update_lag_ms'
  const merged = mergeEntries([
    [gauge(lag, 0), counter('x', 1)],
    [gauge(lag, 1500), gauge('x', 9)],
    [gauge(lag, 200)],
  ])
  t.deepEqual(merged, [gauge(lag, 1500), counter('x', 1)])
})

test('two histograms merged give exactly the quantiles of one histogram fed every value', (t) => {
  const r = prng(7)
  const one = new Histogram()
  const halves = [new Histogram(), new Histogram()]
  for (let i = 0; i < 20_000; i++) {
    // a long tail, so the upper quantiles fall in different, wide buckets
    const v = r() < 0.95 ? r() * 5 : 5 + r() ** 3 * 2000
    one.record(v)
    halves[i % 3 === 0 ? 0 : 1]?.record(v)
  }
  const want = one.snapshot()
  const got = mergeSummaries(halves.map((h) => h.snapshot()))
  const { sum, avg, ...exact } = want
  const { sum: gotSum, avg: gotAvg, ...gotExact } = got
  t.deepEqual(gotExact, exact)
  t.true(Math.abs(gotSum - sum) < 1e-9 * sum, `${gotSum} vs ${sum}`)
  t.true(Math.abs(gotAvg - avg) < 1e-9 * avg)
})

test('empty and missing snapshots: a single histogram with values is kept as it is', (t) => {
  const h = new Histogram()
  h.record(3)
  const s = h.snapshot()
  t.is(mergeSummaries([new Histogram().snapshot(), s]), s)
  t.like(mergeSummaries([new Histogram().snapshot(), new Histogram().snapshot()]), { count: 0 })
  const stat = (summary?: typeof s): Entry => ({ path: ['l'], kind: 'stat', summary })
  t.deepEqual(mergeEntries([[stat()], [stat()]]), [stat()])
  t.deepEqual(mergeEntries([[stat()], [stat(s)]]), [stat(s)])
})

/** A registry fed `n` requests of latency `ms(i)` on one server, snapshotted. */
function fed(indexes: readonly number[], ms: (i: number) => number): MetricsRegistry {
  const m = new MetricsRegistry({ snapshotIntervalMs: 0, defaultMetrics: false })
  const srv = m.router('edge').server('0.0.0.0', 4140)
  const client = m.router('edge').client('#/io.l5d.fs/web')
  for (const i of indexes) {
    srv.requests++
    srv.status(i % 10 === 0 ? 503 : 200)
    srv.latency.record(ms(i))
    client.requests++
    client.latency.record(ms(i) / 2)
  }
  m.snapshot()
  return m
}

test('two registries merged render as one registry that served everything', (t) => {
  const r = prng(11)
  const values = Array.from({ length: 3000 }, () => Math.round(r() * 4000) / 8)
  const all = values.map((_, i) => i)
  const ms = (i: number): number => values[i] ?? 0
  const a = fed(
    all.filter((i) => i % 2 === 0),
    ms,
  )
  const b = fed(
    all.filter((i) => i % 2 === 1),
    ms,
  )
  const whole = fed(all, ms)
  const merged = formatPrometheus(mergeEntries([a.entries(), b.entries()]))
  t.is(merged, formatPrometheus(whole.entries()))
  t.true(merged.includes('rt:server:requests{rt="edge", server="0.0.0.0/4140"} 3000'), merged)
  t.is(
    whole.metricsJson({}, mergeEntries([a.entries(), b.entries()])).body,
    whole.metricsJson().body,
  )
})

test('without gatherWith, a scrape is the registry entries (single-process mode)', async (t) => {
  const m = fed([1, 2, 3], (i) => i)
  t.deepEqual(await m.scrape(), m.entries())
  t.is(await m.prometheus(), formatPrometheus(m.entries()))
})
