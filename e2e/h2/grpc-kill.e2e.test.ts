// A gRPC endpoint killed under load: two Echo processes behind the real router (protocol h2),
// 30 calls at a time, each held 20 ms by its endpoint so that some are in flight when one
// process is SIGKILLed. With the io.l5d.h2.grpc.default classifier and retries, the calls the
// dead endpoint held are sent again, the calls picked to it afterwards (connection refused,
// nothing sent) are requeued, and no call fails; the live endpoint takes the rest.
import test from 'ava'
import { eventually } from '../../testing/eventually.js'
import { EchoClient } from '../../testing/grpc/echo-client.js'
import { echoBackends } from '../../testing/grpc/echo-process.js'
import { SERVICE_NAME } from '../../testing/grpc/echo-service.js'
import { startLoad } from '../../testing/grpc/load.js'
import { h2Router } from '../../testing/grpc/router.js'
import { adminMetrics } from '../../testing/router/process.js'
import { metricSum } from '../../testing/router/resilience.js'

test('one of two gRPC endpoints killed under load: no call fails (retries and requeues)', async (t) => {
  t.timeout(45_000)
  const [b1, b2] = await echoBackends(t, 'b1', 'b2')
  if (b1 === undefined || b2 === undefined) return t.fail()
  const router = await h2Router(
    t,
    { [SERVICE_NAME]: [b1.port, b2.port] },
    {
      service: {
        responseClassifier: { kind: 'io.l5d.h2.grpc.default' },
        retries: { budget: { minRetriesPerSec: 100, percentCanRetry: 0.5 } },
      },
    },
  )
  const client = new EchoClient(router.port)
  t.teardown(() => client.close())
  const load = startLoad(client, 30, { delayMs: 20 })
  const both = () => (load.tally.byBackend.b1 ?? 0) > 100 && (load.tally.byBackend.b2 ?? 0) > 100
  await eventually('both endpoints under load', both, 20_000)
  const inFlight = (await b2.counts()).inFlight
  await b2.kill()
  const atKill = load.tally.total
  await eventually(
    '1,000 more calls after the kill',
    () => load.tally.total > atKill + 1000,
    20_000,
  )
  const tally = await load.stop()
  t.log(
    `${tally.total} calls, ${inFlight} in flight at b2 just before the kill: ${JSON.stringify(tally.byBackend)}`,
  )
  t.deepEqual(tally.failures, {})
  t.is(tally.ok, tally.total)
  const metrics = await adminMetrics(router)
  const retried = metricSum(metrics, /\/retries\/(total|requeues)$/)
  t.log(`retries and requeues counted: ${retried}`)
  t.true(retried > 0, "the killed endpoint's calls were sent again")
})
