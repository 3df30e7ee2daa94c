import test from 'ava'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { Agent, request } from 'undici'
import { freePort } from '../../testing/free-port.js'
import { startProgram } from '../../testing/program.js'
import { eventually } from '../../testing/eventually.js'
import { repoPath } from '../../testing/paths.js'
import { backend, disco, send, tempDir } from '../../testing/router/process.js'

const routerBin = repoPath('bin/router.js')

async function get(port: number, path: string): Promise<string> {
  const r = await request(`http://127.0.0.1:${port}${path}`)
  return r.body.text()
}

/** The value of the Prometheus line starting with `head` (a name and its labels), or NaN. */
function promValue(text: string, head: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${head} `))
  return line === undefined ? NaN : Number(line.slice(head.length + 1))
}

/** The router's request counters and the workers gauges of a Prometheus text, for messages. */
function ours(text: string): string {
  return text
    .split('\n')
    .filter((l) => /^(rt:server:requests|workers:)/.test(l))
    .join('\n')
}

test('router --workers 2: the admin metrics count the requests every worker served', async (t) => {
  const web = await backend(t, 'web')
  const dir = tempDir(t)
  const [port, adminPort] = [await freePort(), await freePort()]
  const file = join(dir, 'router.json')
  const config = {
    admin: { port: adminPort },
    namers: [{ kind: 'io.l5d.fs', rootDir: disco(dir, { web: [web] }) }],
    routers: [
      { protocol: 'http', label: 'edge', dtab: '/svc => /#/io.l5d.fs', servers: [{ port }] },
    ],
  }
  writeFileSync(file, JSON.stringify(config))
  await startProgram(t, {
    name: 'router --workers 2',
    bin: routerBin,
    args: [file, '--workers', '2'],
    admin: `http://127.0.0.1:${adminPort}`,
    readyWithinMs: 20_000,
  })
  // both workers listen (a worker answers scrapes only once its servers are up), so the
  // primary's round-robin hands connections to both
  await eventually(
    'both workers reporting',
    async () =>
      promValue(await get(adminPort, '/admin/metrics/prometheus'), 'workers:reporting') === 2,
    20_000,
    100,
  )
  const total = 400
  const connections = 8
  const agent = new Agent({ connections, pipelining: 1 })
  t.teardown(() => agent.close())
  const statuses = await Promise.all(
    Array.from({ length: connections }, async () => {
      const got: number[] = []
      for (let i = 0; i < total / connections; i++) {
        got.push((await send(agent, port, '/', { host: 'web' })).status)
      }
      return got
    }),
  )
  t.deepEqual(
    statuses.flat().filter((s) => s !== 200),
    [],
  )
  t.is(web.seen.length, total)

  const server = `rt:server:requests{rt="edge", server="127.0.0.1/${port}"}`
  let prom = ''
  await eventually(
    `${server} ${total} in /admin/metrics/prometheus`,
    async () => {
      prom = await get(adminPort, '/admin/metrics/prometheus')
      return promValue(prom, server) === total
    },
    10_000,
    100,
  ).catch((e: Error) => t.fail(`${e.message}; last scrape:\n${ours(prom)}`))
  t.is(promValue(prom, 'rt:client:requests{rt="edge", client="#/io.l5d.fs/web"}'), total)
  t.is(promValue(prom, 'workers:configured'), 2)
  t.regex(prom, /^process_cpu_user_seconds_total \d/m, "the admin worker's process metrics")

  const json = JSON.parse(await get(adminPort, '/admin/metrics.json')) as Record<string, number>
  t.is(json[`rt/edge/server/127.0.0.1/${port}/requests`], total)
  t.is(json[`rt/edge/server/127.0.0.1/${port}/status/200`], total)
  t.is(json['rt/edge/service/svc/web/requests'], total)
  t.is(json['workers/reporting'], 2)
})
