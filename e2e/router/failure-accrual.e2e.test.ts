/**
 * Failure accrual in the real router: an endpoint answering 500 five times in a row leaves its
 * client's balancer (the other endpoint takes the traffic), is shown dead on
 * `/client_state.json`, is probed after its backoff and comes back once it answers well again;
 * the client's `failure_accrual/*` and `loadbalancer/*` metrics count it all.
 */
import test, { type ExecutionContext } from 'ava'
import { connect } from 'node:net'
import { request } from 'undici'
import { eventually } from '../../testing/eventually.js'
import {
  adminMetrics,
  backend,
  client,
  disco,
  echo,
  send,
  startRouter,
  tempDir,
  type Backend,
  type RunningRouter,
} from '../../testing/router/process.js'

const CLIENT = 'rt/web/client/#/io.l5d.fs/web'

/** A backend answering 500 while `failing.now`, else the echo. */
async function flaky(t: ExecutionContext) {
  const failing = { now: true }
  const b = await backend(t, 'flaky', (req, res, name) => {
    if (!failing.now) return echo(req, res, name)
    req.resume()
    res.writeHead(500).end('down')
  })
  return { backend: b, failing }
}

async function routerOver(t: ExecutionContext, backends: Backend[], backoffMs: number) {
  const dir = tempDir(t)
  return startRouter(t, dir, {
    namers: [{ kind: 'io.l5d.fs', rootDir: disco(dir, { web: backends }) }],
    routers: [
      {
        protocol: 'http',
        label: 'web',
        dtab: '/svc => /#/io.l5d.fs',
        client: {
          failureAccrual: {
            kind: 'io.l5d.consecutiveFailures',
            failures: 5,
            backoff: { kind: 'constant', ms: backoffMs },
          },
        },
      },
    ],
  })
}

interface EndpointState {
  endpoint: string
  state: string
  until?: string
}

async function endpointStates(r: RunningRouter): Promise<EndpointState[]> {
  const reply = await request(`http://127.0.0.1:${r.adminPort}/client_state.json`)
  const body = (await reply.body.json()) as Record<
    string,
    Record<string, { endpoints: EndpointState[] }>
  >
  return body['web']?.['/#/io.l5d.fs/web']?.endpoints ?? []
}

/** Sends requests to /svc/web until the flaky backend has seen `n` of them. */
async function until(t: ExecutionContext, r: RunningRouter, b: Backend, n: number) {
  const agent = client(t)
  await eventually(`${n} requests at the flaky backend`, async () => {
    await send(agent, r.port, '/', { host: 'web' })
    return b.seen.length >= n
  })
}

test('five 500s in a row take an endpoint out: the other one gets every request', async (t) => {
  const good = await backend(t, 'good')
  const bad = await flaky(t)
  const r = await routerOver(t, [good, bad.backend], 600_000)
  await until(t, r, bad.backend, 5)
  const agent = client(t)
  for (let i = 0; i < 50; i++) {
    const reply = await send(agent, r.port, '/', { host: 'web' })
    t.is(reply.status, 200)
  }
  t.is(bad.backend.seen.length, 5, 'nothing more reached the dead endpoint')
  const states = await endpointStates(r)
  const dead = states.find((s) => s.endpoint === `127.0.0.1:${bad.backend.port}`)
  t.is(dead?.state, 'dead')
  t.true(Date.parse(dead?.until ?? '') > Date.now() + 500_000, 'probed in about ten minutes')
  const m = await adminMetrics(r)
  t.is(m[`${CLIENT}/failure_accrual/removals`], 1)
  t.is(m[`${CLIENT}/failure_accrual/removed_for_ms`], 600_000)
  t.is(m[`${CLIENT}/failure_accrual/revivals`], 0)
  t.is(m[`${CLIENT}/loadbalancer/size`], 2)
  t.is(m[`${CLIENT}/loadbalancer/available`], 1)
  t.regex(r.output(), /endpoint marked dead/)
})

test('after its backoff a dead endpoint is probed and, answering well, comes back', async (t) => {
  const good = await backend(t, 'good')
  const bad = await flaky(t)
  const r = await routerOver(t, [good, bad.backend], 200)
  await until(t, r, bad.backend, 5)
  bad.failing.now = false
  const agent = client(t)
  await eventually('the endpoint revived', async () => {
    await send(agent, r.port, '/', { host: 'web' })
    return (await endpointStates(r)).every((s) => s.state === 'alive')
  })
  const m = await adminMetrics(r)
  t.is(m[`${CLIENT}/failure_accrual/revivals`], 1)
  t.true((m[`${CLIENT}/failure_accrual/probes`] ?? 0) >= 1)
  t.is(m[`${CLIENT}/loadbalancer/available`], 2)
  const before = bad.backend.seen.length
  for (let i = 0; i < 40; i++) await send(agent, r.port, '/', { host: 'web' })
  t.true(bad.backend.seen.length - before > 5, 'it takes its share again')
  const deaths = r.output().match(/"msg":"endpoint marked dead"/g) ?? []
  t.is(deaths.length, 1, 'one log line for the removal, none per request')
})

test('clients that leave before the answer do not take the endpoint out', async (t) => {
  const held: Array<() => void> = []
  let holding = true
  const slow = await backend(t, 'slow', (req, res, name) => {
    if (holding) held.push(() => echo(req, res, name))
    else echo(req, res, name)
  })
  const r = await routerOver(t, [slow], 600_000)
  // Ten clients in turn send a request and leave while the endpoint is still working on it.
  for (let i = 0; i < 10; i++) {
    const seen = slow.seen.length
    const socket = connect(r.port, '127.0.0.1')
    socket.on('error', () => undefined)
    socket.write('GET / HTTP/1.1\r\nHost: web\r\n\r\n')
    await eventually('the request at the endpoint', () => Promise.resolve(slow.seen.length > seen))
    socket.destroy()
  }
  holding = false
  for (const answer of held) answer()
  const agent = client(t)
  t.is((await send(agent, r.port, '/', { host: 'web' })).status, 200)
  t.true(
    (await endpointStates(r)).every((s) => s.state === 'alive'),
    JSON.stringify(await endpointStates(r)),
  )
  const m = await adminMetrics(r)
  t.is(m[`${CLIENT}/failure_accrual/removals`], 0)
  t.notRegex(r.output(), /endpoint marked dead/)
})
