/**
 * `client.failFast` in the real router: an endpoint that refuses a connection is held down at
 * once and watched with TCP connects in the background; a name whose every endpoint is down
 * answers 502 at once (`ERR_NO_ENDPOINTS`, with `l5d-err`), without trying them again; once
 * something listens on an endpoint's port again it is back and the name routes.
 */
import test from 'ava'
import { request } from 'undici'
import { eventually } from '../../testing/eventually.js'
import { freePort } from '../../testing/free-port.js'
import { ControllableBackend } from '../../testing/backend/controllable.js'
import { adminMetrics } from '../../testing/router/process.js'
import { routerOver, SERVICE } from '../../testing/router/resilience.js'

async function get(port: number): Promise<{ status: number; err: string; ms: number }> {
  const started = performance.now()
  const r = await request(`http://127.0.0.1:${port}/`, { headers: { host: SERVICE } })
  await r.body.text()
  const err = decodeURIComponent(String(r.headers['l5d-err'] ?? '').replace(/\+/g, ' '))
  return { status: r.statusCode, err, ms: performance.now() - started }
}

test('failFast: every endpoint down answers 502 at once; an endpoint listening again is back', async (t) => {
  t.timeout(40_000)
  const ports = [await freePort(), await freePort()]
  const router = await routerOver(
    t,
    ports.map((port) => ({ port })),
    { client: { failFast: true } },
  )
  // The first requests find each endpoint refusing: each is held down at its first refusal.
  for (let i = 0; i < 4; i++) t.is((await get(router.port)).status, 502)
  const down = await get(router.port)
  t.is(down.status, 502)
  t.regex(down.err, /No hosts are available/, 'answered without trying the endpoints')
  const metrics = await adminMetrics(router)
  const refused = Object.entries(metrics)
    .filter(([k]) => /\/client\/.*\/failures\/ECONNREFUSED$/.test(k))
    .reduce((n, [, v]) => n + v, 0)
  t.true(refused <= 4, `${refused} connections refused: each endpoint tried about once`)
  // Answered at once, many times over: no connect is attempted per request.
  const many = await Promise.all(Array.from({ length: 50 }, () => get(router.port)))
  t.true(
    many.every((r) => r.status === 502),
    'all 502',
  )
  const backend = await ControllableBackend.start({ name: 'back', port: ports[0] })
  t.teardown(() => backend.close())
  await eventually(
    'the endpoint back once it listens',
    async () => (await get(router.port)).status === 200,
    30_000,
    200,
  )
  t.true(backend.counts().requests >= 1)
})
