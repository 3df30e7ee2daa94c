/**
 * The real router gives back what each request took, however the request ends: its place under
 * `maxConcurrentRequests`, its pending count, and its hold on a graceful shutdown.
 */
import test from 'ava'
import { connect } from 'node:net'
import { join } from 'node:path'
import { request } from 'undici'
import { eventually } from '../../testing/eventually.js'
import {
  adminMetrics as metrics,
  backend,
  client,
  send,
  startRouter,
  tempDir,
} from '../../testing/router/process.js'

test('maxConcurrentRequests: requests answered with a router error give their place back', async (t) => {
  const web = await backend(t, 'web')
  const dir = tempDir(t)
  const r = await startRouter(t, dir, {
    routers: [
      {
        protocol: 'http',
        dtab: `/svc/web => /$/inet/127.0.0.1/${web.port}`,
        servers: [{ maxConcurrentRequests: 1 }],
      },
    ],
  })
  const agent = client(t)
  t.is((await send(agent, r.port, '/', { host: 'nobody' })).status, 502)
  t.is((await send(agent, r.port, '/', { host: 'web', 'l5d-dtab': '/a=>' })).status, 400)
  const ok = await send(agent, r.port, '/', { host: 'web' })
  t.is(ok.status, 200, ok.body)
})

test('a client that leaves while its name is still binding is over at once: pending 0, shutdown prompt', async (t) => {
  const dir = tempDir(t)
  const r = await startRouter(t, dir, {
    admin: { shutdownGraceMs: 60_000 },
    routers: [
      {
        protocol: 'http',
        interpreter: { kind: 'io.l5d.fs', dtabFile: join(dir, 'not-there-yet.dtab') },
        bindingTimeoutMs: 60_000,
      },
    ],
  })
  const pending = `rt/http/server/127.0.0.1/${r.port}/pending`
  const socket = connect(r.port, '127.0.0.1', () =>
    socket.write('GET / HTTP/1.1\r\nHost: web\r\n\r\n'),
  )
  socket.on('error', () => undefined)
  await eventually(
    'the request waits for its binding',
    async () => (await metrics(r))[pending] === 1,
  )
  socket.destroy()
  await eventually('the request is over', async () => (await metrics(r))[pending] === 0, 3000)
  const m = await metrics(r)
  t.is(m[`rt/http/server/127.0.0.1/${r.port}/failures/closed`], 1)
  await request(`http://127.0.0.1:${r.adminPort}/admin/shutdown`, { method: 'POST' })
  const exited = await Promise.race([r.exited, delay(5000).then(() => 'still draining')])
  t.is(exited, 0, 'nothing in flight: the shutdown does not wait for its 60 s grace')
})

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}
