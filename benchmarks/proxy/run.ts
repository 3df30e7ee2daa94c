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
import { wrk, type WrkResult } from './wrk.js'

interface Row {
  readonly name: string
  readonly result: WrkResult
  readonly rss: number
}

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`)
  return i === -1 ? fallback : Number(process.argv[i + 1])
}

const seconds = arg('seconds', 10)
const connections = arg('connections', 50)

async function measure(p: Proc, headers: string[] = []): Promise<Row> {
  await wrk({ port: p.port, seconds: 2, connections, headers })
  const result = await wrk({ port: p.port, seconds, connections, headers })
  return { name: p.name, result, rss: rssMiB(p.child.pid ?? 0) }
}

async function withProc<T>(start: Promise<Proc>, f: (p: Proc) => Promise<T>): Promise<T> {
  const p = await start
  try {
    return await f(p)
  } finally {
    await stop(p)
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
  return `${new Date().toISOString().slice(0, 10)}, commit ${commit}, Node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? '?'}, wrk -t1 -c${connections} -d${seconds}s, 100-byte responses`
}

function table(rows: readonly Row[], ref: (n: string) => Row | undefined): string {
  const nginx1 = ref('nginx × 1')
  const nginx2 = ref('nginx × 2')
  const fastest = Math.max(
    ref('undici forwarder')?.result.rps ?? 0,
    ref('http2-proxy forwarder')?.result.rps ?? 0,
  )
  const lines = rows.map((r) => {
    const pct = (x: Row | undefined): string =>
      x === undefined ? '–' : `${Math.round((100 * r.result.rps) / x.result.rps)} %`
    const vsFastest = fastest > 0 ? `${(r.result.rps / fastest).toFixed(2)}×` : '–'
    const { rps, p50ms, p99ms, errors } = r.result
    return `| ${r.name} | ${Math.round(rps).toLocaleString('en-US')} | ${p50ms.toFixed(2)} / ${p99ms.toFixed(2)} | ${pct(nginx1)} | ${pct(nginx2)} | ${vsFastest} | ${r.rss.toFixed(0)} | ${errors} |`
  })
  const head =
    '| target | req/s | p50 / p99 ms | vs nginx × 1 | vs nginx × 2 | vs faster bare Node forwarder | RSS MiB | errors |'
  return [head, '|---|---:|---:|---:|---:|---:|---:|---:|', ...lines].join('\n')
}

async function main(): Promise<void> {
  const backends = [await startBackend(), await startBackend()] as const
  const rows: Row[] = []
  try {
    const port = backends[0].port
    rows.push(await measure(backends[0]))
    rows.push(await withProc(startNginx(port, 1), (p) => measure(p)))
    rows.push(await withProc(startNginx(port, 2), (p) => measure(p)))
    rows.push(await withProc(startForwarder('http2-proxy', port), (p) => measure(p)))
    rows.push(await withProc(startForwarder('undici', port), (p) => measure(p)))
    const ports = [backends[0].port, backends[1].port] as const
    const bench = ['Host: bench']
    const router = await withProc(startRouter(ports, 1), async (p) => {
      const row = await measure(p, bench)
      const half = Math.round(row.result.rps / 2)
      const atHalf = await wrk({ port: p.port, seconds, connections, headers: bench, rate: half })
      const alone = await wrk({ port, seconds, connections, rate: half })
      await bindNames(p.port, 1000)
      return { row, half, atHalf, alone, rss1000: rssMiB(p.child.pid ?? 0) }
    })
    rows.push(router.row)
    rows.push(await withProc(startRouter(ports, 2), (p) => measure(p, bench)))
    const ref = (n: string): Row | undefined => rows.find((r) => r.name === n)
    process.stdout.write(`proxy benchmark: ${header()}\n\n${table(rows, ref)}\n\n`)
    const added = router.atHalf.p99ms - router.alone.p99ms
    process.stdout.write(
      `At half the router's maximum rate (${router.half} req/s offered): router p50/p99 ${router.atHalf.p50ms.toFixed(2)} / ${router.atHalf.p99ms.toFixed(2)} ms, ` +
        `backend alone ${router.alone.p50ms.toFixed(2)} / ${router.alone.p99ms.toFixed(2)} ms: added p99 ${added.toFixed(2)} ms.\n` +
        `Router RSS after binding 1,000 distinct names: ${router.rss1000.toFixed(0)} MiB.\n`,
    )
  } finally {
    for (const b of backends) await stop(b)
  }
}

await main()
