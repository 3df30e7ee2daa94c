/**
 * The resilience benchmark, one command, one run: a steady load (GETs and POSTs in turn) through
 * (a) nginx with passive health checks and next-upstream retries, (b) the router with its default
 * config, (c) the router with `io.l5d.http.retryableRead5XX`, each in front of the same three
 * backend processes, while
 *
 * - rolling restart: each backend in turn is SIGKILLed, stays down `--down-ms`, is started again
 *   on the same port, and is given `--settle-ms` before the next one;
 * - brown-out: then one backend answers 503 to half of its requests for `--brownout-ms`.
 *
 * Prints per target the failed requests per method and the p99 of the rolling restart, and the
 * brown-out's success rate; then whether each target is met. Exits non-zero only when the harness
 * itself fails (a process that does not start, say), never because a target is missed.
 *
 *   npm run bench:resilience [-- --rate 200 --down-ms 2000 --settle-ms 3000 --brownout-ms 6000]
 */
import { parseArgs } from 'node:util'
import { setTimeout as sleep } from 'node:timers/promises'
import { BackendProcess } from '../../testing/backend/process.js'
import { startSteadyLoad, type LoadTally } from '../../testing/steady-load.js'
import { stop, type Proc } from '../proxy/procs.js'
import { header } from '../propagation/report.js'
import { failureKinds, table, targets, type Row } from './report.js'
import { NGINX_POLICY, SERVICE, startNginx, startRouter } from './targets.js'

const { values } = parseArgs({
  options: {
    rate: { type: 'string', default: '200' },
    'down-ms': { type: 'string', default: '2000' },
    'settle-ms': { type: 'string', default: '3000' },
    'brownout-ms': { type: 'string', default: '6000' },
  },
})
const rate = Number(values.rate)
const downMs = Number(values['down-ms'])
const settleMs = Number(values['settle-ms'])
const brownOutMs = Number(values['brownout-ms'])

// The routers' info lines (listening, stopped) would interleave with the progress lines.
process.env.LOG_LEVEL ??= 'warn'

const RETRY_READS = { service: { responseClassifier: { kind: 'io.l5d.http.retryableRead5XX' } } }

/** Load on `port` for as long as `during` runs (plus a second before and after). */
async function underLoad(port: number, during: () => Promise<void>): Promise<LoadTally> {
  const load = startSteadyLoad({ port, host: SERVICE, rate })
  await sleep(1000)
  await during()
  await sleep(1000)
  return load.stop()
}

async function rollingRestart(backends: readonly BackendProcess[]): Promise<void> {
  for (const b of backends) {
    await b.kill()
    await sleep(downMs)
    await b.restart()
    await sleep(settleMs)
  }
}

async function measure(target: Proc, backends: readonly BackendProcess[]): Promise<Row> {
  // Unmeasured: the router binds the name and every side opens its connections.
  await underLoad(target.port, () => Promise.resolve())
  const rolling = await underLoad(target.port, () => rollingRestart(backends))
  const sick = backends[0] as BackendProcess
  const brownOut = await underLoad(target.port, async () => {
    await sick.setMode({ kind: 'fail', fraction: 0.5, status: 503 })
    await sleep(brownOutMs)
    await sick.setMode({ kind: 'ok' })
  })
  return { name: target.name, rolling, brownOut }
}

async function main(): Promise<void> {
  const backends = await Promise.all(
    ['b1', 'b2', 'b3'].map((name) => BackendProcess.start({ name })),
  )
  const ports = backends.map((b) => b.port)
  const starts: [string, () => Promise<Proc>][] = [
    ['nginx', () => startNginx(ports)],
    ['router (default)', () => startRouter('router (default)', ports)],
    [
      'router (retryableRead5XX)',
      () => startRouter('router (retryableRead5XX)', ports, RETRY_READS),
    ],
  ]
  const rows: Row[] = []
  try {
    for (const [name, start] of starts) {
      process.stderr.write(`measuring ${name}...\n`)
      const target = await start()
      try {
        rows.push({ ...(await measure(target, backends)), name })
      } finally {
        await stop(target)
      }
    }
  } finally {
    await Promise.all(backends.map((b) => b.stop()))
  }
  const out = [
    `resilience benchmark: ${header()}`,
    `${rate} req/s (GET and POST in turn, POSTs with a small JSON body), 3 backends; rolling restart: each SIGKILLed, ${downMs} ms down, ${settleMs} ms before the next; brown-out: one backend answers 503 to 50 % for ${brownOutMs} ms. nginx: ${NGINX_POLICY}.`,
    '',
    table(rows),
    '',
    'Targets (router rows):',
    ...targets(rows, 'nginx').map((l) => `- ${l}`),
    '',
    'What failed:',
    ...failureKinds(rows).map((l) => `- ${l}`),
  ]
  process.stdout.write(`${out.join('\n')}\n`)
}

await main()
