// linkerd 1.7.5's retries.yaml and service-options.yaml (router/examples/linkerd/) run by the
// real router: every resilience key as written takes effect (no "accepted but ignored"
// warning), and requests route through each. Only what cannot stay as written on a shared
// machine is changed: the ports, the io.l5d.fs rootDir (a temp dir naming live backends) and
// the example's fixed backend address (localhost:8080 becomes a live backend's port).
import test from 'ava'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { parse as parseYaml } from 'yaml'
import { repoPath } from '../../testing/paths.js'
import { startSteadyLoad } from '../../testing/steady-load.js'
import {
  adminMetrics,
  backend,
  client,
  send,
  startRouter,
  tempDir,
  type RunningRouter,
} from '../../testing/router/process.js'
import { inProcessBackends, metricSum } from '../../testing/router/resilience.js'

interface Example {
  namers?: { kind: string; rootDir: string }[]
  routers: { dtab: string; servers: { port?: number }[] }[]
}

const example = (name: string): Example =>
  parseYaml(readFileSync(repoPath(`router/examples/linkerd/${name}`), 'utf8')) as Example

/** The router's own output lines that say a key does nothing. */
const ignoredKeys = (r: RunningRouter): string[] =>
  r
    .output()
    .split('\n')
    .filter((line) => /no effect|ignored/i.test(line))

/** The example's one router on a free port (startRouter picks it) and a free admin port. */
function onFreePorts(config: Example): Example {
  for (const r of config.routers) for (const s of r.servers) delete s.port
  return config
}

test('retries.yaml: no key ignored, and a GET answered 503 is retried to a 200', async (t) => {
  const dir = tempDir(t)
  const backends = await inProcessBackends(t, 2)
  const rootDir = join(dir, 'disco')
  mkdirSync(rootDir)
  for (const [i, b] of backends.entries()) {
    writeFileSync(join(rootDir, `users-v${i + 1}`), `127.0.0.1 ${b.port}\n`)
    await b.setMode({ kind: 'fail', every: 3 })
  }
  const config = onFreePorts(example('retries.yaml'))
  ;(config.namers?.[0] as { rootDir: string }).rootDir = rootDir
  const router = await startRouter(t, dir, config as unknown as Record<string, unknown>)
  t.deepEqual(ignoredKeys(router), [])
  const load = startSteadyLoad({ port: router.port, host: 'users', rate: 30, methods: ['GET'] })
  t.teardown(() => load.stop())
  await sleep(2000)
  const gets = (await load.stop()).GET
  if (gets === undefined) return t.fail()
  t.true(gets.total > 30)
  // retryableIdempotent5XX: every third request's 503 is retried (the budget's reserve of
  // 5/s × 15 s covers the ~20 retries), so every GET ends in a 200.
  t.is(gets.failed, 0, JSON.stringify(gets.failures))
  const failedByBackends = backends.reduce((n, b) => n + (b.counts().byStatus[503] ?? 0), 0)
  t.true(failedByBackends > 0)
  t.is(metricSum(await adminMetrics(router), /\/service\/.*\/retries\/total$/), failedByBackends)
})

test('service-options.yaml: no key ignored, and foo, bar and others route', async (t) => {
  const dir = tempDir(t)
  const target = await backend(t, 'target')
  const config = onFreePorts(example('service-options.yaml'))
  const [first] = config.routers
  if (first === undefined) return t.fail()
  t.regex(first.dtab, /localhost\/8080/)
  first.dtab = first.dtab.replace('localhost/8080', `localhost/${target.port}`)
  const router = await startRouter(t, dir, config as unknown as Record<string, unknown>)
  t.deepEqual(ignoredKeys(router), [])
  const agent = client(t)
  for (const host of ['foo', 'bar', 'other']) {
    const reply = await send(agent, router.port, '/', { host })
    t.is(reply.status, 200, `${host}: ${reply.body}`)
  }
  t.is(target.seen.length, 3)
})
