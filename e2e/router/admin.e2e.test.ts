import test from 'ava'
import { request } from 'undici'
import { backend, client, disco, send, startRouter, tempDir } from '../../testing/router/process.js'

async function get(port: number, path: string, init: { method?: 'GET' | 'POST' } = {}) {
  const r = await request(`http://127.0.0.1:${port}${path}`, { method: init.method ?? 'GET' })
  return { status: r.statusCode, headers: r.headers, body: await r.body.text() }
}

test('the admin server answers ping, ready, metrics, config, delegator and bound names', async (t) => {
  const web = await backend(t, 'web')
  const dir = tempDir(t)
  const root = disco(dir, { web: [web] })
  const r = await startRouter(t, dir, {
    namers: [{ kind: 'io.l5d.fs', rootDir: root }],
    routers: [{ protocol: 'http', label: 'edge', dtab: '/svc => /#/io.l5d.fs' }],
  })
  await send(client(t), r.port, '/', { host: 'web' })
  t.deepEqual(await get(r.adminPort, '/admin/ping').then((x) => [x.status, x.body]), [200, 'pong'])
  t.is((await get(r.adminPort, '/admin/ready')).status, 200)
  const prom = (await get(r.adminPort, '/admin/metrics/prometheus')).body
  t.true(
    prom.includes(`rt:server:requests{rt="edge", server="127.0.0.1/${r.port}"} 1`),
    prom.slice(0, 500),
  )
  t.true(prom.includes('rt:client:requests{rt="edge", client="#/io.l5d.fs/web"} 1'))
  t.true(prom.includes('rt:service:success{rt="edge", service="svc/web"} 1'))
  t.regex(prom, /^process_cpu_user_seconds_total \d/m, 'Node process metrics too')
  const json = JSON.parse((await get(r.adminPort, '/admin/metrics.json')).body) as Record<
    string,
    number
  >
  t.is(json[`rt/edge/server/127.0.0.1/${r.port}/requests`], 1)
  const config = JSON.parse((await get(r.adminPort, '/config.json')).body) as {
    routers: { label: string }[]
  }
  t.is(config.routers[0]?.label, 'edge')
  const delegated = await get(r.adminPort, '/delegator.json?path=/svc/web&namespace=edge')
  t.is(delegated.status, 200)
  t.like(JSON.parse(delegated.body), {
    type: 'delegate',
    path: '/svc/web',
    delegate: { type: 'leaf', path: '/#/io.l5d.fs/web' },
  })
  t.is((await get(r.adminPort, '/delegator.json?path=/svc//web&namespace=edge')).status, 400)
  t.deepEqual(JSON.parse((await get(r.adminPort, '/bound-names.json')).body), ['/#/io.l5d.fs/web'])
  t.is((await get(r.adminPort, '/admin/shutdown')).status, 405)
})

test('POST /admin/shutdown stops the router gracefully', async (t) => {
  const dir = tempDir(t)
  const r = await startRouter(t, dir, { routers: [{ protocol: 'http' }] })
  const reply = await get(r.adminPort, '/admin/shutdown', { method: 'POST' })
  t.deepEqual([reply.status, reply.body], [200, 'quitting\n'])
  t.is(await r.exited, 0)
})
