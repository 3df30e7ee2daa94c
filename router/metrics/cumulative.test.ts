import test from 'ava'
import { latencyBucketLowerUs, latencyBucketOfUs } from '../../lib/metrics/latency-buckets.js'
import { BUCKETS, EXPORT_BUCKET, bucketOf } from './histogram-buckets.js'
import { Histogram } from './histogram.js'
import { mergeEntries } from './merge.js'
import { MetricsRegistry } from './index.js'

test('histogram buckets coarsen exactly into export buckets', (t) => {
  const agree = (us: number): boolean =>
    EXPORT_BUCKET[bucketOf(us / 1000)] === latencyBucketOfUs(us)
  for (let us = 0; us < 2 ** 20; us++) if (!agree(us)) return t.fail(`${us} µs`)
  for (let k = 1; k < 208; k++) {
    const lower = latencyBucketLowerUs(k)
    t.true(agree(lower - 1) && agree(lower), `around ${lower} µs`)
  }
  t.is(EXPORT_BUCKET[BUCKETS - 1], 207)
})

test('cumulative buckets count every value since the start, across snapshots', (t) => {
  const h = new Histogram({ cumulative: true })
  t.deepEqual(h.cumulativeBuckets(), [])
  h.record(1) // 1000 µs
  h.record(1.01)
  h.snapshot()
  h.record(50) // 50 000 µs
  t.deepEqual(h.cumulativeBuckets(), [latencyBucketOfUs(1000), 2, latencyBucketOfUs(50_000), 1])
  h.snapshot()
  h.snapshot()
  h.record(1.01)
  t.deepEqual(h.cumulativeBuckets(), [latencyBucketOfUs(1000), 3, latencyBucketOfUs(50_000), 1])
  t.is(new Histogram().cumulativeBuckets(), undefined)
})

function registryWith(latencies: number[], failures: number): MetricsRegistry {
  const m = new MetricsRegistry({ defaultMetrics: false, snapshotIntervalMs: 0 })
  const c = m.router('r1').client('/#/io.l5d.fs/users')
  for (const ms of latencies) {
    c.requests++
    c.latency.record(ms)
  }
  c.success = latencies.length - failures
  for (let i = 0; i < failures; i++) c.fail('ERR_X')
  m.router('r1').client('#/other').requests++
  return m
}

test('clients.json: counters and per-bucket counts, filtered by client', async (t) => {
  const m = registryWith([1, 1, 100], 1)
  const body = JSON.parse(await m.clientsJson(['/#/io.l5d.fs/users'])) as unknown
  t.deepEqual(body, {
    clients: [
      {
        router: 'r1',
        client: '#/io.l5d.fs/users',
        requests: 3,
        success: 2,
        failures: 1,
        latencyBuckets: [
          [1.024, 2],
          [106.496, 1],
        ],
      },
    ],
  })
  const all = JSON.parse(await m.clientsJson()) as { clients: unknown[] }
  t.is(all.clients.length, 2)
})

test('prometheus: `_bucket` lines only with buckets, cumulative over le', async (t) => {
  const m = registryWith([1, 1, 100], 0)
  const line = 'rt:client:request_latency_ms_bucket{rt="r1", client="#/io.l5d.fs/users", le='
  t.false((await m.prometheus()).includes('_bucket'))
  const text = await m.prometheus(undefined, { buckets: true })
  t.true(text.includes(`${line}"1.024"} 2\n`), text)
  t.true(text.includes(`${line}"106.496"} 3\n`), text)
  t.true(text.includes(`${line}"+Inf"} 3\n`), text)
})

test('workers: cumulative buckets add up across processes', (t) => {
  const a = registryWith([1, 100], 0).entries()
  const b = registryWith([1], 0).entries()
  const merged = mergeEntries([a, b]).find((e) =>
    e.path.join('/').endsWith('users/request_latency_ms'),
  )
  t.like(merged, {
    kind: 'stat',
    cumulative: [latencyBucketOfUs(1000), 2, latencyBucketOfUs(100_000), 1],
  })
})
