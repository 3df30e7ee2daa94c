// A live `namerctl dtab set` under gRPC load: namerd (in-memory store, an io.l5d.fs namer) holds
// the dtab; the real router (protocol h2) follows it through io.l5d.namerd.http; the real
// namerctl moves test.Echo from v1 to v2 while 20 calls at a time run through the router. Not
// one call may fail, and once the router follows the change every call goes to v2.
import test from 'ava'
import { mkdtempSync } from 'node:fs'
import { join } from 'node:path'
import { eventually } from '../../testing/eventually.js'
import { EchoClient } from '../../testing/grpc/echo-client.js'
import { echoBackends } from '../../testing/grpc/echo-process.js'
import { SERVICE_NAME } from '../../testing/grpc/echo-service.js'
import { runCalls, startLoad } from '../../testing/grpc/load.js'
import { SERVICE_IDENTIFIER, writeDisco } from '../../testing/grpc/router.js'
import { namerctl } from '../../testing/namerctl/harness.js'
import { startNamerd } from '../../testing/namerd/process.js'
import { startRouter, tempDir } from '../../testing/router/process.js'

const NAMESPACE = 'grpc'
const PREFIX = `/svc/${SERVICE_NAME}`

test('namerctl dtab set moves a gRPC service under load: no call fails', async (t) => {
  t.timeout(50_000)
  const [v1, v2] = await echoBackends(t, 'v1', 'v2')
  if (v1 === undefined || v2 === undefined) return t.fail()
  const dir = tempDir(t)
  const disco = writeDisco(dir, { v1: [v1.port], v2: [v2.port] })
  const namerd = await startNamerd(t, mkdtempSync(join(dir, 'namerd-')), {
    storage: {
      kind: 'io.l5d.inMemory',
      namespaces: { [NAMESPACE]: `/svc => /#/io.l5d.fs; ${PREFIX} => /#/io.l5d.fs/v1` },
    },
    namers: [{ kind: 'io.l5d.fs', rootDir: disco }],
    interfaces: [{ kind: 'io.l5d.httpController', heartbeatMs: 1000 }],
  })
  const interpreter = {
    kind: 'io.l5d.namerd.http',
    dst: `/$/inet/127.0.0.1/${new URL(namerd.api).port}`,
    namespace: NAMESPACE,
    retry: { baseSeconds: 0.1, maxSeconds: 1 },
  }
  const router = await startRouter(t, dir, {
    routers: [{ protocol: 'h2', identifier: SERVICE_IDENTIFIER, interpreter }],
  })
  const client = new EchoClient(router.port)
  t.teardown(() => client.close())
  t.deepEqual((await runCalls(client, 100, 10)).byBackend, { v1: 100 }, 'all on v1 at first')

  const load = startLoad(client, 20)
  await eventually('load under way', () => load.tally.total > 100)
  const set = await namerctl([
    'dtab',
    'set',
    NAMESPACE,
    PREFIX,
    '/#/io.l5d.fs/v2',
    '--base-url',
    namerd.api,
  ])
  t.is(set.status, 0, `${set.stdout}${set.stderr}`)
  const onV2 = async () => (load.tally.byBackend.v2 ?? 0) > 200
  await eventually('calls on v2 after the change', onV2, 20_000)
  const during = await load.stop()
  t.log(`during the change: ${JSON.stringify(during)}`)
  t.deepEqual(during.failures, {})
  t.true((during.byBackend.v1 ?? 0) > 0, 'calls on v1 before the change')
  t.deepEqual((await runCalls(client, 100, 10)).byBackend, { v2: 100 }, 'all on v2 after')
})
