import test from 'ava'
import { createServer, type Server } from 'node:net'
import { constantBackoff } from '../backoffs/index.js'
import { accrualHarness } from '../../testing/router/accrual.js'
import { eventually } from '../../testing/eventually.js'
import { freePort } from '../../testing/free-port.js'
import { connectProbe } from './connect-probe.js'

async function listen(port: number): Promise<Server> {
  const server = createServer((s) => s.destroy())
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve))
  return server
}

test('the probe connects to a listening port and fails on a closed one', async (t) => {
  const port = await freePort()
  t.false(await connectProbe('127.0.0.1', port))
  const server = await listen(port)
  t.teardown(() => server.close())
  t.true(await connectProbe('127.0.0.1', port))
})

test('the probe gives up after its timeout on an address that never answers', async (t) => {
  // 192.0.2.0/24 is TEST-NET-1: nothing answers there (or the network refuses at once).
  const started = Date.now()
  t.false(await connectProbe('192.0.2.1', 9, 200))
  t.true(Date.now() - started < 10_000, 'no hang')
})

test('failFast over real sockets: down when nothing listens, back once something does', async (t) => {
  const port = await freePort()
  const h = accrualHarness({
    schedule: (fn, ms) => {
      const timer = setTimeout(fn, ms)
      return () => clearTimeout(timer)
    },
    failFast: { connect: connectProbe, backoff: constantBackoff(20) },
  })
  t.teardown(() => h.balancer.close())
  h.balancer.update([{ host: '127.0.0.1', port }])
  const endpoint = h.balancer.endpoints[0]
  if (endpoint === undefined) throw new Error('no endpoint')
  h.balancer.failedToConnect(endpoint)
  t.is(h.balancer.acquire(), undefined, 'held down: nothing to send to')
  await eventually(
    'a few failed connect probes',
    () => (h.metric('failure_accrual/probes') ?? 0) >= 3,
  )
  t.is(h.balancer.health().endpoints[0]?.state, 'dead')
  const server = await listen(port)
  t.teardown(() => server.close())
  await eventually('revived', () => h.balancer.health().endpoints[0]?.state === 'alive')
  t.is(h.balancer.acquire()?.key, `127.0.0.1:${port}`)
  t.is(h.metric('failure_accrual/revivals'), 1)
})
