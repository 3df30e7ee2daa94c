import test from 'ava'
import { setTimeout as sleep } from 'node:timers/promises'
import { MetricsRegistry, type RequestStats } from '../../metrics/index.js'
import { buildAdmin } from '../server.js'

/** `n` requests ended on `s`, `failed` of them failures, each taking `ms`. */
function ended(s: RequestStats, n: number, failed: number, ms: number): void {
  s.requests += n
  s.success += n - failed
  s.failures += failed
  for (let i = 0; i < n; i++) s.latency.record(ms)
}

function setup() {
  const metrics = new MetricsRegistry({ snapshotIntervalMs: 0, defaultMetrics: false })
  const rt = metrics.router('edge')
  const health = {
    '/#/io.l5d.fs/users': {
      panic: false,
      endpoints: [
        { endpoint: '10.0.0.1:80', state: 'alive' as const, failures: 0, weight: 2, load: 3 },
      ],
    },
  }
  const app = buildAdmin({
    port: 0,
    config: {},
    isReady: () => true,
    routers: [
      {
        label: 'edge',
        delegate: async () => ({ status: 200, body: {} }),
        clientState: () => health,
      },
    ],
    boundNames: () => [],
    metrics,
    shutdown: () => undefined,
    dashboard: { intervalMs: 200 },
  })
  const read = async (query = '') => {
    const res = await app.inject({ url: `/admin/dashboard.json${query}` })
    return { status: res.statusCode, body: res.statusCode === 200 ? res.json() : res.body }
  }
  return { app, rt, read }
}

test('figures of the last interval: rate, success and latency of the router, its services and clients', async (t) => {
  const { app, rt, read } = setup()
  t.teardown(() => app.close())
  const server = rt.server('0.0.0.0', 4140)
  ended(server, 10, 0, 1) // before the first sample: not in any interval
  const first = await read()
  t.is(first.status, 200)
  t.is(first.body.intervalMs, 200)
  t.is(first.body.routers[0].figures, null, 'one sample: no interval yet')
  ended(server, 40, 4, 2)
  ended(rt.service('svc/users'), 40, 4, 2)
  ended(rt.client('#/io.l5d.fs/users'), 30, 0, 1)
  ended(rt.client('#/io.l5d.fs/users'), 10, 4, 100)
  await sleep(260)
  const { body } = await read()
  const router = body.routers[0]
  t.is(router.label, 'edge')
  // 40 requests in one interval of about 200 ms (as long as the samples were apart).
  t.true(router.figures.rps > 100 && router.figures.rps < 300, `${router.figures.rps}/s`)
  t.is(router.figures.success, 0.9)
  t.true(Math.abs(router.figures.p50Ms - 2) < 2 / 16, String(router.figures.p50Ms))
  t.is(router.history.length, 1)
  const service = router.services.rows[0]
  t.is(service.name, '/svc/users')
  t.is(service.figures.success, 0.9)
  const client = router.clients.rows[0]
  t.is(client.id, '/#/io.l5d.fs/users')
  t.is(client.figures.success, 0.9)
  t.true(Math.abs(client.figures.p50Ms - 1) < 1 / 16, String(client.figures.p50Ms))
  t.true(Math.abs(client.figures.p99Ms - 100) < 100 / 16, String(client.figures.p99Ms))
  t.deepEqual(client.endpoints, [
    { endpoint: '10.0.0.1:80', state: 'alive', failures: 0, weight: 2, load: 3 },
  ])
  await sleep(260)
  const quiet = (await read()).body.routers[0]
  t.deepEqual(quiet.figures, { rps: 0, success: null, p50Ms: null, p99Ms: null })
  t.true(quiet.history.length >= 2)
})

test('services and clients come in pages, by name, filtered by q (any case)', async (t) => {
  const { app, rt, read } = setup()
  t.teardown(() => app.close())
  for (let i = 0; i < 120; i++) rt.service(`svc/s${String(i).padStart(3, '0')}`)
  rt.service('svc/Other')
  const page = (await read('?limit=50&serviceOffset=100')).body.routers[0].services
  t.is(page.total, 121)
  t.is(page.matched, 121)
  t.is(page.offset, 100)
  t.is(page.rows.length, 21)
  t.is(page.rows[0].name, '/svc/s099', 'by name: upper case sorts first')
  t.is((await read()).body.routers[0].services.rows[0].name, '/svc/Other')
  const filtered = (await read('?q=OTHER')).body.routers[0].services
  t.is(filtered.matched, 1)
  t.deepEqual(
    filtered.rows.map((r: { name: string }) => r.name),
    ['/svc/Other'],
  )
  t.is((await read()).body.routers[0].services.rows.length, 50, 'default limit')
})

test('bad page values are 400 naming the parameter', async (t) => {
  const { app, read } = setup()
  t.teardown(() => app.close())
  for (const [query, name] of [
    ['?limit=0', 'limit'],
    ['?limit=501', 'limit'],
    ['?limit=x', 'limit'],
    ['?serviceOffset=-1', 'serviceOffset'],
    ['?clientOffset=1.5', 'clientOffset'],
    ['?q=a&q=b', 'q'],
    [`?q=${'x'.repeat(201)}`, 'q'],
  ] as const) {
    const res = await read(query)
    t.is(res.status, 400, query)
    t.true(String(res.body).startsWith(`${name}:`), `${query}: ${String(res.body)}`)
  }
})
