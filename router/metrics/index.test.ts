import { DEFAULT_POLICY, ServiceRetries } from '../core/service-policy.js'
import test from 'ava'
import { EMPTY_SUMMARY, type Summary } from './histogram.js'
import type { Entry } from './entry.js'
import { formatPrometheus } from './prometheus.js'
import { MetricsRegistry, RouterStats } from './index.js'

const summary = (s: Partial<Summary>): Summary => ({ ...EMPTY_SUMMARY, ...s })
const counter = (path: string[], value: number): Entry => ({ path, kind: 'counter', value })

// The cases of linkerd's PrometheusTelemeterTest, with its `linkerd_` prefix.
const linkerdCases: [string, Entry[], string][] = [
  ['counter', [counter(['foo', 'bar', 'bas'], 2)], 'linkerd_foo:bar:bas 2\n'],
  [
    'gauge (Java float)',
    [{ path: ['foo', 'bar', 'bas'], kind: 'gauge', value: 1 }],
    'linkerd_foo:bar:bas 1.0\n',
  ],
  ['stat before its first snapshot', [{ path: ['foo', 'bar', 'bas'], kind: 'stat' }], ''],
  ['empty stat', [{ path: ['foo', 'bas'], kind: 'stat', summary: summary({}) }], ''],
  [
    'path stats are labelled',
    [counter(['rt', 'incoming', 'service', '/svc/foo', 'requests'], 1)],
    'linkerd_rt:service:requests{rt="incoming", service="/svc/foo"} 1\n',
  ],
  [
    'bound stats are labelled',
    [counter(['rt', 'incoming', 'client', '/#/bar', 'requests'], 1)],
    'linkerd_rt:client:requests{rt="incoming", client="/#/bar"} 1\n',
  ],
  [
    'bound stats with path scope are labelled',
    [counter(['rt', 'incoming', 'client', '/#/bar', 'service', '/svc/foo', 'requests'], 1)],
    'linkerd_rt:client:service:requests{rt="incoming", client="/#/bar", service="/svc/foo"} 1\n',
  ],
  [
    'server stats are labelled',
    [counter(['rt', 'incoming', 'server', '127.0.0.1/4141', 'requests'], 1)],
    'linkerd_rt:server:requests{rt="incoming", server="127.0.0.1/4141"} 1\n',
  ],
  [
    'exception stats are labelled (names holding `:`, and nested scopes)',
    [
      counter(['rt', 'in', 'client', 'c', 'failures', 'foo:bar'], 2),
      counter(['rt', 'in', 'client', 'c', 'failures', 'foo', 'baz'], 1),
      counter(['rt', 'in', 'client', 'c', 'exn', 'Timeout'], 4),
    ],
    'linkerd_rt:client:failures{rt="in", client="c", exception="foo:bar"} 2\n' +
      'linkerd_rt:client:failures{rt="in", client="c", exception="foo:baz"} 1\n' +
      'linkerd_rt:client:exceptions{rt="in", client="c", exception="Timeout"} 4\n',
  ],
  [
    'label values escaped per the exposition format (linkerd itself mangles them)',
    [counter(['rt', 'in', 'service', 'a\\b"c\nd', 'requests'], 1)],
    'linkerd_rt:service:requests{rt="in", service="a\\\\b\\"c\\nd"} 1\n',
  ],
  [
    'characters outside [a-zA-Z0-9:] in names become _',
    [counter(['rt', 'r', 'client', 'x', 'load-balancer', 'p2c.size'], 3)],
    'linkerd_rt:client:load_balancer:p2c_size{rt="r", client="x"} 3\n',
  ],
]

for (const [name, entries, want] of linkerdCases) {
  test(`prometheus: ${name}`, (t) => {
    t.is(formatPrometheus(entries, 'linkerd_'), want)
  })
}

test("prometheus: a stat, exactly as linkerd's test prints it", (t) => {
  const s = summary({ count: 2, sum: 3, avg: 1.5, min: 1, max: 2, p50: 1, p90: 2, p95: 2 })
  const entries: Entry[] = [
    { path: ['foo', 'bar', 'bas'], kind: 'stat', summary: { ...s, p99: 2, p9990: 2, p9999: 2 } },
  ]
  t.is(
    formatPrometheus(entries, 'linkerd_'),
    [
      'linkerd_foo:bar:bas_count 2',
      'linkerd_foo:bar:bas_sum 3',
      'linkerd_foo:bar:bas_avg 1.5',
      'linkerd_foo:bar:bas{quantile="0"} 1',
      'linkerd_foo:bar:bas{quantile="0.5"} 1',
      'linkerd_foo:bar:bas{quantile="0.9"} 2',
      'linkerd_foo:bar:bas{quantile="0.95"} 2',
      'linkerd_foo:bar:bas{quantile="0.99"} 2',
      'linkerd_foo:bar:bas{quantile="0.999"} 2',
      'linkerd_foo:bar:bas{quantile="0.9999"} 2',
      'linkerd_foo:bar:bas{quantile="1"} 2',
      '',
    ].join('\n'),
  )
})

function registry(): MetricsRegistry {
  return new MetricsRegistry({ snapshotIntervalMs: 0, defaultMetrics: false })
}

/** Two routers' worth of traffic, bumped the way the data path does. */
function traffic(m: MetricsRegistry): void {
  const r1 = m.router('r1')
  const srv = r1.server('127.0.0.1', 4140)
  srv.connections = 2
  for (const [code, ms] of [
    [200, 1],
    [200, 2],
    [503, 4],
  ] as const) {
    srv.requests++
    srv.status(code)
    srv.latency.record(ms)
    if (code < 500) srv.success++
    else srv.fail('ERR_CONNECT')
  }
  srv.pending = 1
  const svc = r1.service('/svc/foo')
  svc.requests += 3
  svc.success += 3
  const client = r1.client('/#/io.l5d.fs/foo')
  client.requests++
  client.success++
  client.status(200)
  client.latency.record(0.25)
  client.gauge('loadbalancer/size', () => 2)
  r1.counter('bindcache/path/misses').value += 5
  m.router('r2').server('0.0.0.0', 4141).requests = 7
}

test('prometheus: a registry after traffic, every line derived by hand', async (t) => {
  const m = registry()
  traffic(m)
  m.snapshot()
  const s1 = 'rt="r1", server="127.0.0.1/4140"'
  const s2 = 'rt="r2", server="0.0.0.0/4141"'
  const svc = 'rt="r1", service="svc/foo"'
  const cl = 'rt="r1", client="#/io.l5d.fs/foo"'
  const q = (kind: string, labels: string, values: number[]): string[] =>
    ['0', '0.5', '0.9', '0.95', '0.99', '0.999', '0.9999', '1'].map(
      (k, i) => `rt:${kind}:request_latency_ms{${labels}, quantile="${k}"} ${values[i]}`,
    )
  const want = [
    `rt:server:requests{${s1}} 3`,
    `rt:server:requests{${s2}} 7`,
    `rt:server:success{${s1}} 2`,
    `rt:server:success{${s2}} 0`,
    `rt:server:failures{${s1}} 1`,
    `rt:server:failures{${s1}, exception="ERR_CONNECT"} 1`,
    `rt:server:failures{${s2}} 0`,
    `rt:server:pending{${s1}} 1.0`,
    `rt:server:pending{${s2}} 0.0`,
    `rt:server:request_latency_ms_count{${s1}} 3`,
    `rt:server:request_latency_ms_sum{${s1}} 7`,
    `rt:server:request_latency_ms_avg{${s1}} 2.333`,
    ...q('server', s1, [1, 2, 4, 4, 4, 4, 4, 4]),
    `rt:server:status:200{${s1}} 2`,
    `rt:server:status:503{${s1}} 1`,
    `rt:server:status:2XX{${s1}} 2`,
    `rt:server:status:5XX{${s1}} 1`,
    `rt:server:connections{${s1}} 2.0`,
    `rt:server:connections{${s2}} 0.0`,
    `rt:service:requests{${svc}} 3`,
    `rt:service:success{${svc}} 3`,
    `rt:service:failures{${svc}} 0`,
    `rt:service:pending{${svc}} 0.0`,
    `rt:client:requests{${cl}} 1`,
    `rt:client:success{${cl}} 1`,
    `rt:client:failures{${cl}} 0`,
    `rt:client:pending{${cl}} 0.0`,
    `rt:client:request_latency_ms_count{${cl}} 1`,
    `rt:client:request_latency_ms_sum{${cl}} 0.25`,
    `rt:client:request_latency_ms_avg{${cl}} 0.25`,
    ...q('client', cl, [0.25, 0.25, 0.25, 0.25, 0.25, 0.25, 0.25, 0.25]),
    `rt:client:loadbalancer:size{${cl}} 2.0`,
    `rt:client:status:200{${cl}} 1`,
    `rt:client:status:2XX{${cl}} 1`,
    `rt:bindcache:path:misses{rt="r1"} 5`,
    '',
  ]
  const got = await m.prometheus()
  t.deepEqual(got.split('\n'), want)
})

test('prometheus: histograms show the last snapshot; counters are live', async (t) => {
  const m = registry()
  const srv = m.router('r').server('127.0.0.1', 1)
  srv.requests = 1
  srv.latency.record(3)
  t.false((await m.prometheus()).includes('request_latency_ms'), 'nothing before a snapshot')
  m.snapshot()
  srv.requests = 2
  srv.latency.record(9)
  const text = await m.prometheus()
  t.true(text.includes('rt:server:requests{rt="r", server="127.0.0.1/1"} 2\n'))
  t.true(text.includes('rt:server:request_latency_ms_count{rt="r", server="127.0.0.1/1"} 1\n'))
  t.true(text.includes('rt:server:request_latency_ms_sum{rt="r", server="127.0.0.1/1"} 3\n'))
  m.snapshot()
  m.snapshot()
  t.false((await m.prometheus()).includes('request_latency_ms'), 'an empty minute is left out')
})

test('prometheus: the prefix option and prom-client default metrics come along', async (t) => {
  const m = new MetricsRegistry({ snapshotIntervalMs: 0, prometheusPrefix: 'linkerd_' })
  t.teardown(() => m.close())
  m.router('r').server('0.0.0.0', 4140).requests = 1
  const text = await m.prometheus()
  t.regex(text, /^# HELP process_cpu_user_seconds_total /m)
  t.regex(text, /^nodejs_heap_size_used_bytes \d+/m)
  t.true(text.includes('\nlinkerd_rt:server:requests{rt="r", server="0.0.0.0/4140"} 1\n'))
  t.true(text.endsWith('linkerd_rt:server:connections{rt="r", server="0.0.0.0/4140"} 0.0\n'))
  t.is(m.contentType, 'text/plain; version=0.0.4; charset=utf-8')
})

test('metrics.json: flat keys, stats as .count plus the rest when count > 0', (t) => {
  const m = registry()
  traffic(m)
  const before = JSON.parse(m.metricsJson().body) as Record<string, unknown>
  t.is(before['rt/r1/server/127.0.0.1/4140/request_latency_ms.count'], undefined)
  m.snapshot()
  const flat = JSON.parse(m.metricsJson().body) as Record<string, unknown>
  t.like(flat, {
    'rt/r1/server/127.0.0.1/4140/requests': 3,
    'rt/r1/server/127.0.0.1/4140/failures/ERR_CONNECT': 1,
    'rt/r1/server/127.0.0.1/4140/status/5XX': 1,
    'rt/r1/server/127.0.0.1/4140/connections': 2,
    'rt/r1/server/127.0.0.1/4140/request_latency_ms.count': 3,
    'rt/r1/server/127.0.0.1/4140/request_latency_ms.max': 4,
    'rt/r1/server/127.0.0.1/4140/request_latency_ms.min': 1,
    'rt/r1/server/127.0.0.1/4140/request_latency_ms.p50': 2,
    'rt/r1/server/127.0.0.1/4140/request_latency_ms.p9999': 4,
    'rt/r1/server/127.0.0.1/4140/request_latency_ms.sum': 7,
    'rt/r1/server/127.0.0.1/4140/request_latency_ms.avg': 2.333,
    'rt/r1/service/svc/foo/request_latency_ms.count': 0,
    'rt/r1/client/#/io.l5d.fs/foo/loadbalancer/size': 2,
    'rt/r1/bindcache/path/misses': 5,
    'rt/r2/server/0.0.0.0/4141/requests': 7,
  })
  t.false('rt/r1/service/svc/foo/request_latency_ms.max' in flat)
})

test('metrics.json: pretty sorts and indents', (t) => {
  const m = registry()
  m.router('r').client('b').requests = 1
  m.router('r').server('1.2.3.4', 5).requests = 2
  const body = m.metricsJson({ pretty: true }).body
  const keys = Object.keys(JSON.parse(body) as object)
  t.deepEqual(keys, [...keys].sort())
  t.true(body.startsWith('{\n  "rt/r/client/b/failures": 0,\n'))
})

/** The value at `keys` in parsed JSON. */
function dig(o: unknown, ...keys: string[]): unknown {
  return keys.reduce<unknown>((v, k) => (v as Record<string, unknown> | undefined)?.[k], o)
}

test('metrics.json: tree=1 nests, with counter / gauge / stat.* on the nodes', (t) => {
  const m = registry()
  traffic(m)
  m.snapshot()
  const tree: unknown = JSON.parse(m.metricsJson({ tree: true }).body)
  const srv = dig(tree, 'rt', 'r1', 'server', '127.0.0.1/4140')
  t.deepEqual(dig(srv, 'requests'), { counter: 3 })
  t.deepEqual(dig(srv, 'failures'), { counter: 1, ERR_CONNECT: { counter: 1 } })
  t.deepEqual(dig(srv, 'pending'), { gauge: 1 })
  t.deepEqual(dig(srv, 'status'), {
    '200': { counter: 2 },
    '503': { counter: 1 },
    '2XX': { counter: 2 },
    '5XX': { counter: 1 },
  })
  t.like(dig(srv, 'request_latency_ms') as object, {
    'stat.count': 3,
    'stat.max': 4,
    'stat.p90': 4,
    'stat.avg': 2.333,
  })
  t.deepEqual(dig(tree, 'rt', 'r1', 'bindcache'), { path: { misses: { counter: 5 } } })
  t.deepEqual(Object.keys(dig(tree, 'rt', 'r1', 'service') as object), ['svc/foo'])
})

test('metrics.json: q selects a subtree (segments holding / too), else 404', (t) => {
  const m = registry()
  traffic(m)
  const sub = m.metricsJson({ q: 'rt/r1/server/127.0.0.1/4140/status' })
  t.is(sub.status, 200)
  t.deepEqual(JSON.parse(sub.body), { '200': 2, '503': 1, '2XX': 2, '5XX': 1 })
  const tree = m.metricsJson({ q: 'rt/r1/client/#/io.l5d.fs/foo/loadbalancer', tree: true })
  t.deepEqual(JSON.parse(tree.body), { size: { gauge: 2 } })
  t.deepEqual(JSON.parse(m.metricsJson({ q: 'rt/r2/server/0.0.0.0/4141/requests' }).body), {
    '': 7,
  })
  t.deepEqual(m.metricsJson({ q: 'a/b' }), {
    status: 404,
    body: '{"error": "No such subtree: a/b"}',
  })
  t.is(m.metricsJson({ q: 'rt/r1/server/127.0.0.1' }).status, 404)
})

test('past the cap, the least active services go; busy and in-flight ones stay', (t) => {
  const r = new RouterStats('r', { maxServices: 10 })
  const first = r.service('svc/0')
  first.pending = 1
  const others = Array.from({ length: 8 }, (_, i) => r.service(`svc/${i + 1}`))
  for (const s of others) s.requests = 1
  const hot = r.service('/svc/hot')
  t.is(hot, r.service('svc/hot'), 'a leading / names the same service')
  hot.requests = 100
  t.is(r.sizes.services, 10)
  const fresh = r.service('svc/new')
  t.is(r.sizes.services, 10)
  t.false(first.evicted, 'in flight')
  t.false(hot.evicted)
  t.false(fresh.evicted)
  t.deepEqual(
    others.map((s) => s.evicted),
    [true, false, false, false, false, false, false, false],
    'one tenth of the cap went: the oldest of the least active',
  )
})

test('services and clients idle past the TTL are swept; dropClient marks evicted', (t) => {
  let now = 0
  const r = new RouterStats('r', { idleTtlMs: 1000 }, () => now)
  const idle = r.client('#/a')
  const busy = r.client('#/b')
  const waiting = r.service('svc/c')
  waiting.pending = 1
  now = 600
  busy.requests++
  r.sweep()
  now = 1200
  r.sweep()
  t.true(idle.evicted)
  t.false(busy.evicted, 'moved at 600')
  t.false(waiting.evicted, 'pending')
  t.deepEqual(r.sizes, { services: 1, clients: 1 })
  now = 1700
  r.sweep()
  t.true(busy.evicted)
  r.dropService('/svc/c')
  t.true(waiting.evicted)
  t.not(r.service('svc/c'), waiting, 'a holder that sees evicted gets a fresh object')
})

test('the snapshot timer snapshots histograms by itself', async (t) => {
  const m = new MetricsRegistry({ snapshotIntervalMs: 20, defaultMetrics: false })
  t.teardown(() => m.close())
  const srv = m.router('r').server('127.0.0.1', 1)
  srv.latency.record(5)
  for (let i = 0; i < 100 && srv.latency.last === undefined; i++) {
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
  t.like(srv.latency.last, { count: 1, max: 5 })
})

test('extra metrics: get-or-create; one kind per name; a throwing gauge is skipped', (t) => {
  const m = registry()
  t.is(m.counter('namer/fs/lookups'), m.counter(['namer', 'fs', 'lookups']))
  t.throws(() => m.stat('namer/fs/lookups'), { instanceOf: TypeError })
  m.gauge('bad', () => {
    throw new Error('x')
  })
  m.gauge('good', () => 1.5)
  t.deepEqual(JSON.parse(m.metricsJson().body), { 'namer/fs/lookups': 0, good: 1.5 })
})

test('status ignores codes outside [100, 599]; fail() caps exception names', (t) => {
  const c = new RouterStats('r').client('x')
  c.status(99)
  c.status(600)
  c.status(200.5)
  c.status(404)
  for (let i = 0; i < 70; i++) c.fail(`E${i}`)
  const entries: Entry[] = []
  c.collectAt(['c'], entries)
  const names = entries.map((e) => e.path.join('/'))
  t.deepEqual(
    names.filter((n) => n.startsWith('c/status/')),
    ['c/status/404', 'c/status/4XX'],
  )
  t.is(names.filter((n) => n.startsWith('c/failures/')).length, 65)
  t.true(names.includes('c/failures/other'))
  t.is(c.failures, 70)
})

test('prometheus: a service’s retries and a client’s requeues, under linkerd’s names', async (t) => {
  const m = registry()
  const r = m.router('r')
  const service = r.service('/svc/foo')
  const retries = new ServiceRetries(service, DEFAULT_POLICY)
  retries.total.value = 3
  retries.budgetExhausted.value = 1
  retries.perRequest.record(0)
  r.client('/#/io.l5d.fs/foo').counter('retries/requeues').value = 2
  m.snapshot()
  const text = await m.prometheus()
  const svc = 'rt="r", service="svc/foo"'
  for (const line of [
    `rt:service:retries:total{${svc}} 3`,
    `rt:service:retries:budget_exhausted{${svc}} 1`,
    `rt:service:retries:budget{${svc}} 100.0`,
    `rt:service:retries:per_request_count{${svc}} 1`,
    `rt:client:retries:requeues{rt="r", client="#/io.l5d.fs/foo"} 2`,
  ]) {
    t.true(text.includes(`${line}\n`), line)
  }
})
