// linkerd 1.7.5's retries.yaml and service-options.yaml (router/examples/linkerd/) run by the
// real router: every resilience key as written takes effect (no "accepted but ignored"
// warning), and requests route through each. Only what cannot stay as written on a shared
// machine is changed: the ports, the io.l5d.fs rootDir (a temp dir naming live backends) and
// the example's fixed backend address (localhost:8080 becomes a live backend's port).
import test from 'ava'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { parse as parseYaml } from 'yaml'
import { repoPath } from '../../testing/paths.js'
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
  // One GET after another: the example's timeouts (100 ms and 200 ms attempts, 1 s in all) are
  // tight for a loaded machine, and a load would add its own queueing to them.
  const agent = client(t)
  const statuses: number[] = []
  for (let i = 0; i < 30; i++)
    statuses.push((await send(agent, router.port, '/', { host: 'users' })).status)
  // retryableIdempotent5XX: every third request's 503 is retried (the budget's reserve of
  // 5/s × 15 s covers the ~15 retries), so every GET ends in a 200.
  t.deepEqual(
    statuses.filter((s) => s !== 200),
    [],
  )
  const failedByBackends = backends.reduce((n, b) => n + (b.counts().byStatus[503] ?? 0), 0)
  t.true(failedByBackends >= 9, `${failedByBackends} 503s`)
  // Each 503 was retried (and so was any attempt that timed out on a loaded machine).
  const retries = metricSum(await adminMetrics(router), /\/service\/.*\/retries\/total$/)
  t.true(retries >= failedByBackends, `${retries} retries`)
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
