// A weighted gRPC canary through the real router: a dtab sends 90 % of test.Echo's calls to v1
// and 10 % to v2 (the pick is per call, even on one HTTP/2 connection); 10,000 calls, 100 at a
// time, split within 1.5 points. With p = 0.1 and n = 10,000 one standard deviation is 0.3
// points, so 1.5 points is 5 of them: a fair split fails this about once in 3 million runs.
import test from 'ava'
import { EchoClient } from '../../testing/grpc/echo-client.js'
import { echoBackends } from '../../testing/grpc/echo-process.js'
import { SERVICE_NAME } from '../../testing/grpc/echo-service.js'
import { runCalls } from '../../testing/grpc/load.js'
import { h2Router } from '../../testing/grpc/router.js'

const CALLS = 10_000
const POINTS = 1.5

test('a 90/10 canary through a dtab: 10,000 calls split within 1.5 points, none failed', async (t) => {
  const [v1, v2] = await echoBackends(t, 'v1', 'v2')
  if (v1 === undefined || v2 === undefined) return t.fail()
  const dtab = `/svc => /#/io.l5d.fs; /svc/${SERVICE_NAME} => 9 * /#/io.l5d.fs/v1 & 1 * /#/io.l5d.fs/v2`
  const router = await h2Router(t, { v1: [v1.port], v2: [v2.port] }, { dtab })
  const client = new EchoClient(router.port)
  t.teardown(() => client.close())
  const started = Date.now()
  const tally = await runCalls(client, CALLS, 100)
  t.log(`${CALLS} calls in ${Date.now() - started} ms: ${JSON.stringify(tally.byBackend)}`)
  t.deepEqual(tally.failures, {})
  t.is(tally.ok, CALLS)
  // In integers: exactly 1.5 points off (850 or 1,150 of 10,000) is within.
  const off = Math.abs((tally.byBackend.v2 ?? 0) * 100 - CALLS * 10)
  t.true(off <= CALLS * POINTS, `v2 got ${tally.byBackend.v2} of ${CALLS}`)
  t.is((tally.byBackend.v1 ?? 0) + (tally.byBackend.v2 ?? 0), CALLS)
})
