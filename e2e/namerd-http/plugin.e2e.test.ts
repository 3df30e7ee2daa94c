/**
 * `io.l5d.namerd.http` as the config builds it (parseInterpreter): defaults, linkerd's keys, and
 * the metrics it registers in its router's scope. (fs.test.ts has the bad-config table.)
 */
import test, { type ExecutionContext } from 'ava'
import { EMPTY_DTAB } from '../../dtabs/index.js'
import { eventually } from '../../testing/eventually.js'
import { MetricsRegistry } from '../../router/metrics/index.js'
import type { Interpreter } from '../../router/model.js'
import { parseInterpreter, type InterpreterEnv } from '../../router/interpreters/index.js'
import { parseRetry } from '../../router/interpreters/namerd-http/plugin.js'
import { Section } from '../../lib/config/section.js'
import type { NamerdInterpreterState } from '../../router/interpreters/namerd-http/state.js'
import { startNamerd } from '../../testing/namerd/in-process.js'

const AT = 'routers[0].interpreter'

/** The interpreter `raw` configures, closed by `t.teardown`. */
function make(t: ExecutionContext, raw: unknown, env: Partial<InterpreterEnv> = {}): Interpreter {
  const spec = parseInterpreter(raw, AT)
  t.is(spec.kind, 'io.l5d.namerd.http')
  const interp = spec.make({ namers: [], dtab: EMPTY_DTAB, log: () => undefined, ...env })
  t.teardown(() => interp.close())
  return interp
}

test("retry: linkerd's 5 s / 600 s by default; baseSeconds and maxSeconds in seconds", (t) => {
  const retry = (raw?: object) => parseRetry(raw === undefined ? undefined : new Section(raw, 'r'))
  t.deepEqual(retry(), { baseMs: 5000, maxMs: 600_000 })
  t.deepEqual(retry({}), { baseMs: 5000, maxMs: 600_000 })
  t.deepEqual(retry({ maxSeconds: 12 }), { baseMs: 5000, maxMs: 12_000 })
  t.deepEqual(retry({ baseSeconds: 1.5, maxSeconds: 4 }), { baseMs: 1500, maxMs: 4000 })
  t.deepEqual(retry({ baseSeconds: 0.1, maxSeconds: 1 }), { baseMs: 100, maxMs: 1000 })
})

test('defaults: namerd at 127.0.0.1:4180, namespace default', (t) => {
  const interp = make(t, { kind: 'io.l5d.namerd.http' })
  t.like(interp.state?.(), {
    kind: 'io.l5d.namerd.http',
    namerd: 'http://127.0.0.1:4180',
    namespace: 'default',
  })
  const state = interp.state?.() as NamerdInterpreterState | undefined
  t.deepEqual(
    state?.streams.map((s) => s.kind),
    ['dtab'],
    'the namespace dtab is followed from the start',
  )
})

test("linkerd's keys: experimental: true, an IPv6 dst in brackets, a namespace", (t) => {
  const interp = make(t, {
    kind: 'io.l5d.namerd.http',
    experimental: true,
    dst: '/$/inet/::1/4180',
    namespace: 'internal',
    retry: { baseSeconds: 1, maxSeconds: 30 },
  })
  t.like(interp.state?.(), { namerd: 'http://[::1]:4180', namespace: 'internal' })
  const named = make(t, { kind: 'io.l5d.namerd.http', dst: '/$/inet/localhost/4181' })
  t.like(named.state?.(), { namerd: 'http://localhost:4181' })
})

test('metrics in the router scope: reconnects, updates, streams, streams_disconnected, update_lag_ms', async (t) => {
  const namerd = await startNamerd(t, { default: '/svc => /$/inet/127.0.0.1/9001' })
  const metrics = new MetricsRegistry({ snapshotIntervalMs: 0, defaultMetrics: false })
  t.teardown(() => metrics.close())
  make(
    t,
    {
      kind: 'io.l5d.namerd.http',
      dst: `/$/inet/127.0.0.1/${namerd.port}`,
      retry: { baseSeconds: 0.02, maxSeconds: 0.1 },
    },
    { stats: metrics.router('r') },
  )
  const at = 'rt/r/interpreter/io.l5d.namerd.http'
  const read = (): Record<string, number> => {
    const all = JSON.parse(metrics.metricsJson().body) as Record<string, number>
    const mine = Object.entries(all).filter(([k]) => k.startsWith(`${at}/`))
    return Object.fromEntries(mine.map(([k, v]) => [k.slice(at.length + 1), v]))
  }
  await eventually('the dtab applied', () => read().updates === 1)
  t.deepEqual(read(), {
    reconnects: 0,
    updates: 1,
    streams: 1,
    streams_disconnected: 0,
    update_lag_ms: 0,
  })

  await namerd.stop()
  await eventually('lagging', () => (read().update_lag_ms ?? 0) > 0)
  t.like(read(), { updates: 1, streams: 1, streams_disconnected: 1 })
  t.true((read().reconnects ?? 0) >= 1)
})

test("dst as a /#/ path: replicas found by the router's namers (none here: an empty list)", (t) => {
  const interp = make(t, { kind: 'io.l5d.namerd.http', dst: '/#/io.l5d.fs/namerd' })
  t.like(interp.state?.(), { namerd: '/#/io.l5d.fs/namerd', namespace: 'default', replicas: [] })
})
