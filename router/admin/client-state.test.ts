import test from 'ava'
import Fastify from 'fastify'
import { accrualHarness } from '../../testing/router/accrual.js'
import { addr } from '../../testing/router/balancer-conformance.js'
import type { Endpoint } from '../model.js'
import { clientStateRoutes } from './client-state.js'

test('GET /client_state.json: per router, per client, each endpoint and when a dead one is back', async (t) => {
  const h = accrualHarness()
  h.balancer.update([addr(80), addr(81)])
  const dead = h.balancer.endpoints[1] as Endpoint
  for (let i = 0; i < 3; i++) h.balancer.release(dead, 1, false)
  const app = Fastify()
  clientStateRoutes(app, [
    { label: 'r1', clientState: () => ({ '/#/io.l5d.fs/users': h.balancer.health() }) },
    { label: 'r2' },
  ])
  const res = await app.inject({ url: '/client_state.json' })
  t.is(res.statusCode, 200)
  t.deepEqual(res.json(), {
    r1: {
      '/#/io.l5d.fs/users': {
        panic: false,
        endpoints: [
          { endpoint: '10.0.0.1:80', state: 'alive', failures: 0, weight: 1, load: 0 },
          {
            endpoint: '10.0.0.1:81',
            state: 'dead',
            until: new Date(h.clock.now + 100).toISOString(),
            failures: 3,
            weight: 1,
            load: 0,
          },
        ],
      },
    },
    r2: {},
  })
  await app.close()
})
