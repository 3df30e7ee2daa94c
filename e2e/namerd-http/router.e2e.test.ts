/**
 * End to end: the real `bin/router.js` with an `io.l5d.namerd.http` interpreter following an
 * in-process namerd, two real backends. Traffic follows namerd's dtab, survives namerd going
 * away, and the admin pages and metrics show the streams.
 */
import test from 'ava'
import { eventually } from '../../testing/eventually.js'
import {
  backend,
  client,
  send,
  startRouter,
  tempDir,
  type RunningRouter,
} from '../../testing/router/process.js'
import type {
  NamerdInterpreterState,
  StreamState,
} from '../../router/interpreters/namerd-http/state.js'
import { startNamerd } from '../../testing/namerd/in-process.js'

const inet = (port: number): string => `/$/inet/127.0.0.1/${port}`

async function admin(r: RunningRouter, path: string): Promise<{ status: number; body: string }> {
  const res = await fetch(`http://127.0.0.1:${r.adminPort}${path}`)
  return { status: res.status, body: await res.text() }
}

async function streams(r: RunningRouter): Promise<readonly StreamState[]> {
  const { body } = await admin(r, '/r/interpreter_state/io.l5d.namerd.http/default.json')
  return (JSON.parse(body) as NamerdInterpreterState).streams
}

test("routes by namerd's dtab, follows its changes, and keeps routing while namerd is down", async (t) => {
  t.timeout(60_000)
  const [a, b] = [await backend(t, 'a'), await backend(t, 'b')]
  const namerd = await startNamerd(t, {
    default: `/svc/a => ${inet(a.port)}; /svc/b => ${inet(b.port)}`,
  })
  const r = await startRouter(t, tempDir(t), {
    routers: [
      {
        protocol: 'http',
        label: 'r',
        bindingTimeoutMs: 1500,
        interpreter: {
          kind: 'io.l5d.namerd.http',
          experimental: true,
          dst: inet(namerd.port),
          retry: { baseSeconds: 0.05, maxSeconds: 0.2 },
        },
      },
    ],
  })
  const agent = client(t)
  const backendFor = async (host: string): Promise<unknown> =>
    (await send(agent, r.port, '/', { host })).headers['x-backend']
  t.is(await backendFor('a'), 'a')
  t.is(await backendFor('b'), 'b')

  await namerd.setDtab(`/svc/a => ${inet(b.port)}; /svc/b => ${inet(b.port)}`)
  await eventually('a moved to backend b', async () => (await backendFor('a')) === 'b')

  await eventually('the addr stream of b open', async () =>
    (await streams(r)).some((s) => s.kind === 'addr' && s.state === 'open'),
  )
  const shown = await streams(r)
  t.like(
    shown.find((s) => s.kind === 'bind' && s.path === '/svc/a'),
    {
      state: 'open',
      value: { type: 'leaf', bound: { id: inet(b.port), path: '/' } },
    },
  )
  t.like(
    shown.find((s) => s.kind === 'addr' && s.path === inet(b.port)),
    {
      state: 'open',
      value: { type: 'bound', addrs: [{ ip: '127.0.0.1', port: b.port }] },
    },
  )
  for (const s of shown.filter((x) => x.kind !== 'dtab' && x.state === 'open')) {
    t.regex(s.lastChange ?? '', /^\d{4}-\d\d-\d\dT/, `${s.kind} ${s.path ?? ''} lastChange`)
  }
  t.is(shown[0]?.kind, 'dtab')
  for (const wrong of [
    '/r/interpreter_state/io.l5d.fs/default.json',
    '/r/interpreter_state/io.l5d.namerd.http/other.json',
    '/other/interpreter_state/io.l5d.namerd.http/default.json',
  ]) {
    t.is((await admin(r, wrong)).status, 404, wrong)
  }
  const all = JSON.parse((await admin(r, '/interpreter_state.json')).body) as Record<
    string,
    unknown
  >
  t.deepEqual(Object.keys(all), ['r'])
  t.like(all.r, { kind: 'io.l5d.namerd.http', namerd: namerd.base, namespace: 'default' })

  const delegated = await admin(r, '/delegator.json?path=/svc/a&dtab=')
  t.is(delegated.status, 200)
  t.like(JSON.parse(delegated.body), { type: 'delegate', path: '/svc/a' })

  // namerd goes away: the names the router knows keep routing.
  await namerd.stop()
  await eventually('the router saw namerd go', async () =>
    (await streams(r)).some((s) => s.kind === 'bind' && s.state === 'retrying'),
  )
  const statuses = new Map<string, number>()
  for (let i = 0; i < 200; i++) {
    const reply = await send(agent, r.port, '/', { host: i % 2 === 0 ? 'a' : 'b' })
    const key = `${reply.status} ${String(reply.headers['x-backend'])}`
    statuses.set(key, (statuses.get(key) ?? 0) + 1)
  }
  t.deepEqual([...statuses], [['200 b', 200]])

  const undelegated = await admin(r, '/delegator.json?path=/svc/a&dtab=')
  t.is(undelegated.status, 502)
  t.regex(undelegated.body, new RegExp(`^namerd at ${namerd.host} is unreachable`))

  // A name never bound cannot be: 502 naming namerd, after the binding timeout.
  const started = Date.now()
  const c = await send(agent, r.port, '/', { host: 'c' })
  const took = Date.now() - started
  t.is(c.status, 502)
  const err = decodeURIComponent(String(c.headers['l5d-err']).replace(/\+/g, ' '))
  t.regex(err, new RegExp(`namerd at ${namerd.host} is unreachable while binding /svc/c`))
  t.true(took >= 1400, `failed after ${took} ms, not before the binding timeout`)

  // namerd back, with c added meanwhile: c routes.
  await namerd.setDtab(
    `/svc/a => ${inet(b.port)}; /svc/b => ${inet(b.port)}; /svc/c => ${inet(a.port)}`,
  )
  await namerd.start()
  await eventually('c routes', async () => (await backendFor('c')) === 'a')
  const prometheus = (await admin(r, '/admin/metrics/prometheus')).body
  const reconnects = /^rt:interpreter:io_l5d_namerd_http:reconnects\{rt="r"\} (\d+)$/m.exec(
    prometheus,
  )
  t.truthy(reconnects, 'the reconnects counter is exported')
  t.true(Number(reconnects?.[1]) > 0)
})
