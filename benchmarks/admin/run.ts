/**
 * The admin pages' cost: the weight of the built pages (raw and gzipped), then the router's
 * throughput and CPU under wrk with and without a dashboard open, alternated round by round.
 * "Open" means what an open dashboard makes the router do: `/admin/dashboard.json` once a
 * second (the page's poll, which keeps the sampler scraping) and `/interpreter_state.json`
 * every 5 s, from this process; a real browser would also take this machine's CPU from the
 * router, which is not the router's cost. The router has 1,000 services in its stats (every
 * name is its own service; they share one client), so the sampler reads a full table. Last,
 * the admin's own CPU with no load: the router idle, with and without a dashboard open.
 *
 *   npm run bench:admin [-- --seconds 8 --rounds 5]
 */
import { execSync } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'
import { cpus } from 'node:os'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { repoPath } from '../../testing/paths.js'
import { cpuSeconds, stop, type Proc } from '../proxy/procs.js'
import { benchDtab, spawnRouter, startBackend } from '../proxy/targets.js'
import { median, wrk } from '../proxy/wrk.js'

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`)
  return i === -1 ? fallback : Number(process.argv[i + 1])
}

const seconds = arg('seconds', 8)
const rounds = arg('rounds', 5)
const connections = 50
const NAMES = 1000

/** The built pages' files and their sizes, raw and gzipped, in bytes. */
function pageWeights(): string[] {
  const dir = repoPath('dist/ui')
  const rows = readdirSync(dir).map((f) => {
    const body = readFileSync(join(dir, f))
    return `| ${f} | ${body.length.toLocaleString('en')} | ${gzipSync(body).length.toLocaleString('en')} |`
  })
  return ['| file | bytes | gzipped |', '|---|---|---|', ...rows]
}

/** One request per name: the router's stats then hold `NAMES` services and clients. */
async function bindNames(port: number): Promise<void> {
  for (let i = 0; i < NAMES; i++) {
    await fetch(`http://127.0.0.1:${port}/`, { headers: { host: `s${i}` } }).then((r) =>
      r.arrayBuffer(),
    )
  }
}

/** An open dashboard's requests until `stop()`; how long each dashboard read took (ms). */
function dashboardOpen(admin: number): { stop(): Promise<number[]> } {
  const took: number[] = []
  let n = 0
  const read = async (path: string) => {
    const t0 = performance.now()
    await fetch(`http://127.0.0.1:${admin}${path}`).then((r) => r.arrayBuffer())
    return performance.now() - t0
  }
  const timer = setInterval(() => {
    void read('/admin/dashboard.json?limit=25').then((ms) => took.push(ms))
    if (n++ % 5 === 0) void read('/interpreter_state.json')
  }, 1000)
  return {
    stop: async () => {
      clearInterval(timer)
      return took
    },
  }
}

interface Round {
  readonly rps: number
  readonly cpuUsPerRequest: number
  readonly cpuPerSecond: number
}

type AdminProc = Proc & { readonly adminPort: number }

async function round(router: AdminProc, open: boolean): Promise<Round & { reads: number[] }> {
  const dashboard = open ? dashboardOpen(router.adminPort) : undefined
  if (dashboard !== undefined) await new Promise((r) => setTimeout(r, 2000)) // sampler running
  const pid = router.child.pid ?? 0
  const cpu0 = cpuSeconds(pid)
  const r = await wrk({ port: router.port, seconds, connections, headers: ['Host: bench'] })
  const cpu = cpuSeconds(pid) - cpu0
  const reads = (await dashboard?.stop()) ?? []
  return {
    rps: r.rps,
    cpuUsPerRequest: (cpu * 1e6) / r.requests,
    cpuPerSecond: cpu / seconds,
    reads,
  }
}

/** The router's CPU (cores) over `ms` with no load, with or without a dashboard open. */
async function idle(router: AdminProc, open: boolean, ms: number): Promise<number> {
  const dashboard = open ? dashboardOpen(router.adminPort) : undefined
  if (dashboard !== undefined) await new Promise((r) => setTimeout(r, 2000))
  const pid = router.child.pid ?? 0
  const cpu0 = cpuSeconds(pid)
  await new Promise((r) => setTimeout(r, ms))
  const cores = (cpuSeconds(pid) - cpu0) / (ms / 1000)
  await dashboard?.stop()
  return cores
}

async function main(): Promise<void> {
  const backends = [await startBackend(), await startBackend()] as const
  const ports = [backends[0].port, backends[1].port] as const
  const router = await spawnRouter('router', { dtab: benchDtab(ports) })
  try {
    await bindNames(router.port)
    await wrk({ port: router.port, seconds: 2, connections, headers: ['Host: bench'] })
    const closed: Round[] = []
    const opened: Round[] = []
    const reads: number[] = []
    for (let i = 0; i < rounds; i++) {
      closed.push(await round(router, false))
      const o = await round(router, true)
      opened.push(o)
      reads.push(...o.reads)
    }
    const idleCores = [await idle(router, false, 20_000), await idle(router, true, 20_000)] as const
    report(closed, opened, reads, idleCores)
  } finally {
    await stop(router)
    for (const b of backends) await stop(b)
  }
}

function report(
  closed: Round[],
  opened: Round[],
  reads: number[],
  idleCores: readonly [number, number],
): void {
  const m = (rs: Round[], k: keyof Round) => median(rs.map((r) => r[k]))
  const ratio = median(opened.map((o, i) => o.rps / (closed[i]?.rps ?? NaN)))
  const commit = execSync('git rev-parse --short HEAD').toString().trim()
  const cpu = cpus()[0]?.model ?? 'unknown CPU'
  console.log(
    `${new Date().toISOString().slice(0, 10)}, commit ${commit}, Node ${process.version}, ${cpu}, wrk -c${connections} -d${seconds}s × ${rounds} alternated rounds (medians), ${NAMES} services in the router's stats\n`,
  )
  console.log(pageWeights().join('\n') + '\n')
  console.log('| router | req/s | CPU µs per request | router CPU (cores) |')
  console.log('|---|---|---|---|')
  for (const [name, rs] of [
    ['no dashboard', closed],
    ['dashboard open', opened],
  ] as const) {
    console.log(
      `| ${name} | ${Math.round(m(rs, 'rps'))} | ${m(rs, 'cpuUsPerRequest').toFixed(1)} | ${m(rs, 'cpuPerSecond').toFixed(3)} |`,
    )
  }
  console.log(
    `\nThroughput with the dashboard open ÷ without (paired rounds, median): ${ratio.toFixed(3)}`,
  )
  console.log(
    `Router idle for 20 s: ${idleCores[0].toFixed(4)} cores without a dashboard, ${idleCores[1].toFixed(4)} with one open`,
  )
  const sorted = [...reads].sort((a, b) => a - b)
  console.log(
    `dashboard.json reads under load: median ${median(sorted).toFixed(1)} ms, max ${(sorted.at(-1) ?? 0).toFixed(1)} ms (${sorted.length} reads)`,
  )
}

await main()
