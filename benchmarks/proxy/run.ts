/**
 * The proxy benchmark: in one run, wrk keep-alive HTTP/1.1 throughput and p50/p99 for the backend
 * alone, nginx (1 and 2 workers), bare http2-proxy and undici forwarders, and the router
 * resolving a name through a dtab with a 99/1 union (1 process and `--workers 2`); then the
 * latency the router adds at half its own maximum rate, and its RSS with 1,000 names bound.
 * Prints a Markdown report with ratios. Needs wrk and nginx (`apt-get install wrk nginx-light`).
 *
 *   npm run bench:proxy [-- --seconds 10 --connections 50]
 */
import { execSync } from 'node:child_process'
import { cpus } from 'node:os'
import { request } from 'node:http'
import { rssMiB, stop, type Proc } from './procs.js'
import { startBackend, startForwarder, startNginx, startRouter } from './targets.js'
import { median, summarise, wrk, type WrkResult } from './wrk.js'

interface Row {
  readonly name: string
  readonly result: WrkResult
  readonly rss: number
  /** Per repetition: this target's req/s ÷ the reference's, paired within the repetition. */
  readonly ratios: Readonly<Record<string, number>>
}

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`)
  return i === -1 ? fallback : Number(process.argv[i + 1])
}

const seconds = arg('seconds', 10)
const connections = arg('connections', 50)
const repetitions = arg('repetitions', 3)

interface Target {
  readonly proc: Proc
  readonly headers: string[]
}

/** Every target measured once per repetition, interleaved, so slow phases of a noisy machine hit all alike. */
async function measureAll(targets: readonly Target[]): Promise<Row[]> {
  for (const t of targets)
    await wrk({ port: t.proc.port, seconds: 2, connections, headers: t.headers })
  const runs = new Map<string, WrkResult[]>()
  for (let rep = 0; rep < repetitions; rep++) {
    for (const t of targets) {
      const r = await wrk({ port: t.proc.port, seconds, connections, headers: t.headers })
      runs.set(t.proc.name, [...(runs.get(t.proc.name) ?? []), r])
    }
  }
  const refs = ['nginx × 1', 'nginx × 2', 'undici forwarder', 'http2-proxy forwarder']
  return targets.map((t) => {
    const mine = runs.get(t.proc.name) ?? []
    const ratios: Record<string, number> = {}
    for (const ref of refs) {
      const theirs = runs.get(ref)
      if (theirs !== undefined)
        ratios[ref] = median(mine.map((r, i) => r.rps / (theirs[i]?.rps ?? NaN)))
    }
    const result = summarise(mine)
    return { name: t.proc.name, result, rss: rssMiB(t.proc.child.pid ?? 0), ratios }
  })
}

/**
 * Latency the router adds at a fixed offered rate: the router and the backend alone are measured
 * in alternation, `repetitions` times, and the added p50/p99 is the median of the paired
 * differences (one p99 on this shared machine moves by milliseconds between runs).
 */
async function addedLatency(
  router: Target,
  backendPort: number,
  headers: string[],
  rate: number,
): Promise<{ atHalf: WrkResult; alone: WrkResult; added: { p50ms: number; p99ms: number } }> {
  const via: WrkResult[] = []
  const direct: WrkResult[] = []
  for (let rep = 0; rep < repetitions; rep++) {
    via.push(await wrk({ port: router.proc.port, seconds, connections, headers, rate }))
    direct.push(await wrk({ port: backendPort, seconds, connections, rate }))
  }
  const diff = (f: (r: WrkResult) => number): number =>
    median(via.map((r, i) => f(r) - f(direct[i] as WrkResult)))
  return {
    atHalf: summarise(via),
    alone: summarise(direct),
    added: { p50ms: diff((r) => r.p50ms), p99ms: diff((r) => r.p99ms) },
  }
}

/** Sends one request per distinct Host name, so the router binds `n` names. */
async function bindNames(port: number, n: number): Promise<void> {
  for (let i = 0; i < n; i++) {
    await new Promise<void>((resolve, reject) => {
      const r = request({ port, host: '127.0.0.1', headers: { host: `name-${i}` } }, (res) => {
        res.resume()
        res.on('end', resolve)
      })
      r.on('error', reject)
      r.end()
    })
  }
}

function header(): string {
  const commit = execSync('git rev-parse --short HEAD', { stdio: ['ignore', 'pipe', 'ignore'] })
    .toString()
    .trim()
  const cpu = `${cpus().length} × ${cpus()[0]?.model ?? '?'}`
  return `${new Date().toISOString().slice(0, 10)}, commit ${commit}, Node ${process.version}, ${cpu}, wrk -t1 -c${connections} -d${seconds}s × ${repetitions} interleaved repetitions (medians), 100-byte responses`
}

function table(rows: readonly Row[]): string {
  const pct = (r: Row, ref: string): string => {
    const x = r.ratios[ref]
    return x === undefined ? '–' : `${Math.round(100 * x)} %`
  }
  const lines = rows.map((r) => {
    // Against the faster bare forwarder: the smaller of the two paired ratios.
    const forwarders = [r.ratios['undici forwarder'], r.ratios['http2-proxy forwarder']]
    const vsFastest = Math.min(...forwarders.filter((x): x is number => x !== undefined))
    const { rps, p50ms, p99ms, errors } = r.result
    return `| ${r.name} | ${Math.round(rps).toLocaleString('en-US')} | ${p50ms.toFixed(2)} / ${p99ms.toFixed(2)} | ${pct(r, 'nginx × 1')} | ${pct(r, 'nginx × 2')} | ${Number.isFinite(vsFastest) ? vsFastest.toFixed(2) + '×' : '–'} | ${r.rss.toFixed(0)} | ${errors} |`
  })
  const head =
    '| target | req/s | p50 / p99 ms | vs nginx × 1 | vs nginx × 2 | vs faster bare Node forwarder | RSS MiB | errors |'
  return [head, '|---|---:|---:|---:|---:|---:|---:|---:|', ...lines].join('\n')
}

async function main(): Promise<void> {
  const backends = [await startBackend(), await startBackend()] as const
  const procs: Proc[] = [...backends]
  try {
    const port = backends[0].port
    const ports = [backends[0].port, backends[1].port] as const
    const bench = ['Host: bench']
    const start = async (p: Promise<Proc>, headers: string[] = []): Promise<Target> => {
      const proc = await p
      procs.push(proc)
      return { proc, headers }
    }
    const targets = [
      { proc: backends[0], headers: [] },
      await start(startNginx(port, 1)),
      await start(startNginx(port, 2)),
      await start(startForwarder('http2-proxy', port)),
      await start(startForwarder('undici', port)),
      await start(startRouter(ports, 1), bench),
      await start(startRouter(ports, 2), bench),
    ]
    const rows = await measureAll(targets)
    const router = targets[5] as Target
    const routerRow = rows[5] as Row
    const half = Math.round(routerRow.result.rps / 2)
    const { atHalf, alone, added } = await addedLatency(router, port, bench, half)
    await bindNames(router.proc.port, 1000)
    const rss1000 = rssMiB(router.proc.child.pid ?? 0)
    process.stdout.write(`proxy benchmark: ${header()}\n\n${table(rows)}\n\n`)
    process.stdout.write(
      `At half the router's maximum rate (${half} req/s offered, ${repetitions} interleaved pairs): ` +
        `router p50/p99 ${atHalf.p50ms.toFixed(2)} / ${atHalf.p99ms.toFixed(2)} ms, ` +
        `backend alone ${alone.p50ms.toFixed(2)} / ${alone.p99ms.toFixed(2)} ms (medians): ` +
        `added p50 ${added.p50ms.toFixed(2)} ms, p99 ${added.p99ms.toFixed(2)} ms (median of the pairs' differences).\n` +
        `Router RSS after binding 1,000 distinct names: ${rss1000.toFixed(0)} MiB.\n`,
    )
  } finally {
    for (const p of procs.reverse()) await stop(p)
  }
}

await main()
