import test from 'ava'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { eventually } from '../../testing/eventually.js'
import {
  backend,
  client,
  disco,
  send,
  startRouter,
  tempDir,
  type RunningRouter,
} from '../../testing/router/process.js'
import { startPrometheus } from '../../testing/servers/prometheus.js'
import { adminSource } from '../../namerctl/canary/admin-source.js'
import type { FigureSource, Figures, Interval } from '../../namerctl/canary/figures.js'
import { prometheusSource } from '../../namerctl/canary/prometheus-source.js'
import { instantQuery } from '../../namerctl/canary/prometheus-query.js'
import type { Agent } from 'undici'

const SLOW_MS = 40

/** 500 when the request says `x-fail: 1`, else 200; `delay` ms late. */
const answer =
  (delay: number) =>
  (req: IncomingMessage, res: ServerResponse): void => {
    req.resume()
    const status = req.headers['x-fail'] === '1' ? 500 : 200
    setTimeout(() => res.writeHead(status).end('ok'), delay)
  }

/** `n` requests for `host` through the router, the first `failing` of them answered 500. */
async function load(agent: Agent, r: RunningRouter, host: string, n: number, failing = 0) {
  for (let i = 0; i < n; i++) {
    const reply = await send(agent, r.port, '/', { host, 'x-fail': i < failing ? '1' : '0' })
    if (reply.status !== (i < failing ? 500 : 200)) throw new Error(`${host}: ${reply.status}`)
  }
}

/** Reads until `done` holds (Prometheus scrapes every second), then the last figures. */
async function settled(interval: Interval, done: (f: Figures) => boolean): Promise<Figures> {
  let last = await interval.read()
  await eventually('figures', async () => done((last = await interval.read())), 20_000, 200)
  return last
}

test('admin metrics and Prometheus both give what was sent over the interval', async (t) => {
  const fast = await backend(t, 'fast', answer(0))
  const slow = await backend(t, 'slow', answer(SLOW_MS))
  const dir = tempDir(t)
  const root = disco(dir, { fast: [fast], slow: [slow] })
  const config = () => ({
    namers: [{ kind: 'io.l5d.fs', rootDir: root }],
    routers: [{ protocol: 'http', label: 'edge', dtab: '/svc => /#/io.l5d.fs' }],
  })
  const routers = [await startRouter(t, dir, config()), await startRouter(t, dir, config())]
  const [a, b] = routers as [RunningRouter, RunningRouter]
  const prometheus = await startPrometheus(routers.map((r) => `127.0.0.1:${r.adminPort}`))
  t.teardown(() => prometheus.cleanup())
  const agent = client(t)
  // before the interval: counts both sources must subtract
  for (const r of routers) {
    await load(agent, r, 'fast', 10, 2)
    await load(agent, r, 'slow', 4)
  }
  await eventually(
    'Prometheus scraped the first requests',
    async () => {
      const q = 'sum(rt:client:success) + sum(rt:client:failures{exception=""})'
      const [s] = await instantQuery(prometheus.url, q, { timeoutMs: 2000 })
      return s?.value === 28
    },
    20_000,
    200,
  )
  const sources: FigureSource[] = [
    adminSource(routers.map((r) => `http://127.0.0.1:${r.adminPort}`)),
    prometheusSource(prometheus.url),
  ]
  t.teardown(() => sources.forEach((s) => s.close()))
  const opened = async (clients: string[]) => Promise.all(sources.map((s) => s.open(clients)))
  const [adminFast, promFast] = await opened(['/#/io.l5d.fs/fast'])
  const [adminSlow, promSlow] = await opened(['#/io.l5d.fs/slow'])
  const [adminBoth, promBoth] = await opened(['#/io.l5d.fs/fast', '/#/io.l5d.fs/slow'])

  await load(agent, a, 'fast', 40, 10)
  await load(agent, b, 'fast', 20, 5)
  await load(agent, a, 'slow', 12, 3)
  await load(agent, b, 'slow', 8)

  const want: Record<string, [number, number]> = { fast: [60, 15], slow: [20, 3], both: [80, 18] }
  const pairs = {
    fast: [adminFast, promFast],
    slow: [adminSlow, promSlow],
    both: [adminBoth, promBoth],
  }
  const got: Record<string, Figures[]> = {}
  for (const [name, [requests, failures]] of Object.entries(want)) {
    const intervals = pairs[name as keyof typeof pairs] as Interval[]
    got[name] = await Promise.all(intervals.map((i) => settled(i, (f) => f.requests >= requests)))
    for (const [k, f] of (got[name] as Figures[]).entries()) {
      t.like(f, { requests, failures }, `${name} from ${sources[k]?.name}`)
    }
    // the same counts and buckets: the same p99, to the microsecond
    t.deepEqual(got[name]?.[1], got[name]?.[0], `${name}: Prometheus and admin agree`)
  }
  // Only bounds a busy machine cannot break: the slow backend never answers under SLOW_MS (less
  // the buckets' 1/16), and a quarter of all requests are that slow.
  const p99 = (name: string) => got[name]?.[0]?.p99Ms ?? NaN
  t.true(p99('slow') >= SLOW_MS * (15 / 16), `slow p99 ${p99('slow')} ms`)
  t.true(p99('both') >= SLOW_MS * (15 / 16), `both p99 ${p99('both')} ms`)
  t.true(p99('fast') >= 0 && p99('slow') < 10_000, 'loose bounds')
})

test('errors name the URL: a router that does not answer, a query Prometheus refuses', async (t) => {
  const dir = tempDir(t)
  const r = await startRouter(t, dir, { routers: [{ protocol: 'http' }] })
  const prometheus = await startPrometheus([`127.0.0.1:${r.adminPort}`])
  t.teardown(() => prometheus.cleanup())
  const dead = 'http://127.0.0.1:1'
  const admin = adminSource([`http://127.0.0.1:${r.adminPort}`, dead])
  const e1 = await t.throwsAsync(admin.open(['#/x']), { instanceOf: Error })
  t.like(e1, { code: 'ERR_FIGURES_UNREACHABLE' })
  t.true(e1?.message.startsWith(`${dead}/admin/metrics/clients.json`), e1?.message)
  const bad = prometheusSource(prometheus.url, { matchers: 'job=~"(unclosed"' })
  const e2 = await t.throwsAsync(bad.open(['#/x']), { instanceOf: Error })
  t.like(e2, { code: 'ERR_FIGURES_RESPONSE' })
  t.regex(e2?.message ?? '', /^Prometheus at http:\/\/127\.0\.0\.1:\d+\/api\/v1\/query: bad_data: /)
  admin.close()
  bad.close()
})
