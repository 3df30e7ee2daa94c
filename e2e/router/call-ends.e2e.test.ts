/**
 * The real router gives back what each request took, however the request ends: its place under
 * `maxConcurrentRequests`, its pending count, and its hold on a graceful shutdown.
 */
import test from 'ava'
import { backend, client, send, startRouter, tempDir } from '../../testing/router/process.js'

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
