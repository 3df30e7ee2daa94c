/**
 * NamerdWatch (lib/namerd-client) against namerd's own API over real sockets: the current value
 * first, each change, heartbeats, and namerd stopped and restarted on the same port. The same
 * client against raw servers that misbehave: lib/namerd-client/watch*.test.ts.
 */
import test from 'ava'
import { readDtab } from '../../dtabs/index.js'
import { startApi } from '../../namerd/api/server.js'
import { memoryContext } from '../../testing/namerd/memory-context.js'
import { eventually } from '../../testing/eventually.js'
import { recordWatch } from '../../testing/namerd-client/raw-server.js'

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))
const dtab = (dst: string): unknown => [{ prefix: '/a', dst }]
const watchUrl = (port: number): string => `http://127.0.0.1:${port}/api/1/dtabs/default?watch=true`

test('namerd: the current dtab first, then each change, no repeat; heartbeats keep it open', async (t) => {
  const cx = { ...memoryContext({ default: '/a=>/b' }), watch: { heartbeatMs: 50 } }
  const api = await startApi(cx, { ip: '127.0.0.1', port: 0 })
  t.teardown(() => api.close())
  const w = recordWatch(t, { url: watchUrl(api.port), deadAfterMs: 500 })
  await eventually('the first dtab', () => w.values.length === 1)
  t.deepEqual(w.values, [dtab('/b')])
  await cx.store.put('default', readDtab('/a=>/c'))
  await eventually('the second dtab', () => w.values.length === 2)
  await cx.store.put('default', readDtab('/a=>/c'))
  await cx.store.put('default', readDtab('/a=>/d'))
  await eventually('the third dtab', () => w.values.length === 3)
  const opened = w.watch.state()
  await sleep(1200)
  t.deepEqual(w.values, [dtab('/b'), dtab('/c'), dtab('/d')])
  t.deepEqual(
    w.states.map((s) => s.state),
    ['open'],
    'no reconnection: heartbeats every 50 ms kept a 500 ms deadline from expiring',
  )
  t.like(w.watch.state(), { state: 'open', since: opened.since, attempts: 0 })
  t.true((w.watch.state().lastValueAt ?? 0) >= opened.since)
})

test('namerd restarted on the same port: reconnects, delivers a changed dtab, not an unchanged one', async (t) => {
  const cx = memoryContext({ default: '/a=>/b' })
  let api = await startApi(cx, { ip: '127.0.0.1', port: 0 })
  const port = api.port
  t.teardown(() => api.close())
  const w = recordWatch(t, { url: watchUrl(port), retry: { baseMs: 20, maxMs: 100 } })
  await eventually('the first dtab', () => w.values.length === 1)
  /** Stops namerd, changes the dtab (if `dst`) while it is down, starts it on the same port. */
  const restart = async (dst?: string): Promise<number> => {
    const from = w.states.length
    await api.close()
    await eventually('retrying', () => w.watch.state().state === 'retrying')
    if (dst !== undefined) await cx.store.put('default', readDtab(`/a=>${dst}`))
    await sleep(150)
    api = await startApi(cx, { ip: '127.0.0.1', port })
    return from
  }

  const first = await restart('/c')
  await eventually('the changed dtab', () => w.values.length === 2)
  t.deepEqual(w.values, [dtab('/b'), dtab('/c')])
  const seen = w.states.slice(first).map((s) => s.state)
  t.is(seen[0], 'retrying')
  t.is(seen.at(-1), 'open')
  t.true(seen.includes('connecting'))
  t.true((w.states[first]?.lastError ?? '').length > 0, 'the failure is in lastError')

  const second = await restart()
  await eventually(
    'the unchanged dtab, received and skipped (attempts back to 0)',
    () => w.watch.state().state === 'open' && w.watch.state().attempts === 0,
  )
  await sleep(100)
  t.deepEqual(w.values, [dtab('/b'), dtab('/c')], 'the unchanged dtab was not delivered again')
  t.true(w.states.slice(second).some((s) => s.state === 'retrying' && s.attempts >= 1))
})
