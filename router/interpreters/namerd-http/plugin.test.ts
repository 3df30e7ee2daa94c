/**
 * `io.l5d.namerd.http` as the config builds it (parseInterpreter): defaults, linkerd's keys, and
 * the metrics it registers in its router's scope. (fs.test.ts has the bad-config table.)
 */
import test, { type ExecutionContext } from 'ava'
import { EMPTY_DTAB } from '../../../dtabs/index.js'
import { freePort } from '../../../lib/free-port.js'
import { eventually } from '../../../namerd/testing/eventually.js'
import { MetricsRegistry } from '../../metrics.js'
import type { Interpreter } from '../../model.js'
import { parseInterpreter, type InterpreterEnv } from '../index.js'
import type { NamerdInterpreterState } from './state.js'
import { startNamerd } from './testing-namerd.js'

const AT = 'routers[0].interpreter'

/** The interpreter `raw` configures, closed by `t.teardown`. */
function make(t: ExecutionContext, raw: unknown, env: Partial<InterpreterEnv> = {}): Interpreter {
  const spec = parseInterpreter(raw, AT)
  t.is(spec.kind, 'io.l5d.namerd.http')
  const interp = spec.make({ namers: [], dtab: EMPTY_DTAB, log: () => undefined, ...env })
  t.teardown(() => interp.close())
  return interp
}

/**
 * The reconnection waits an interpreter schedules after each of its first `count` failures
 * (its dtab stream against a closed port), with `Math.random` at 1 so that each wait is the
 * full cap. The waits are recorded, not waited: each fires at once.
 */
async function retryDelays(t: ExecutionContext, raw: object, count: number): Promise<number[]> {
  const port = await freePort()
  const delays: number[] = []
  const { random } = Math
  const realSetTimeout = globalThis.setTimeout
  Math.random = () => 1
  // 35 000 ms is a connection's dead-stream timer (no byte for 35 s): not a retry.
  globalThis.setTimeout = ((fn: () => void, ms?: number) => {
    if (ms === undefined || ms < 1000 || ms === 35_000) return realSetTimeout(fn, ms)
    delays.push(ms)
    return realSetTimeout(fn, 1)
  }) as typeof setTimeout
  try {
    const interp = make(t, { ...raw, dst: `/$/inet/127.0.0.1/${port}` })
    await eventually(`${count} retries`, () => delays.length >= count)
    interp.close()
  } finally {
    Math.random = random
    globalThis.setTimeout = realSetTimeout
  }
  return delays.slice(0, count)
}

// Serial: it replaces Math.random and setTimeout for a moment, which no other test may see.
test.serial(
  "retry: linkerd's 5 s doubling up to 600 s by default; baseSeconds/maxSeconds",
  async (t) => {
    const s = 1000
    t.deepEqual(await retryDelays(t, { kind: 'io.l5d.namerd.http' }, 10), [
      5 * s,
      10 * s,
      20 * s,
      40 * s,
      80 * s,
      160 * s,
      320 * s,
      600 * s,
      600 * s,
      600 * s,
    ])
    const maxOnly = { kind: 'io.l5d.namerd.http', retry: { maxSeconds: 12 } }
    t.deepEqual(await retryDelays(t, maxOnly, 3), [5 * s, 10 * s, 12 * s])
    const retry = { baseSeconds: 1.5, maxSeconds: 4 }
    t.deepEqual(await retryDelays(t, { kind: 'io.l5d.namerd.http', retry }, 4), [
      1.5 * s,
      3 * s,
      4 * s,
      4 * s,
    ])
  },
)

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
