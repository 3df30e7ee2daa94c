/**
 * Runs h2load (Debian `nghttp2-client`) against a port and reads what it did: requests/s and
 * failures from its summary, p50/p99 from its per-request log (`--log-file`; the summary gives
 * only mean and spread), and the CPU time the target's processes used while it measured.
 */
import { execFile } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { cpuSeconds, type Proc } from '../proxy/procs.js'
import type { WrkResult } from '../proxy/wrk.js'

export interface H2loadOptions {
  readonly port: number
  /** `/` (100-byte answers) or `/16k` (16 KiB). */
  readonly path: string
  readonly seconds: number
  /** Not measured first: connections opened, JIT warm. */
  readonly warmUpSeconds: number
  readonly connections: number
  /** Streams in flight per connection (`-m`). */
  readonly streams: number
  /** The processes whose CPU time counts (the target's). */
  readonly procs: readonly Proc[]
}

/** One h2load run: WrkResult's fields (errors = failed requests) and CPU per request. */
export interface H2Result extends WrkResult {
  /** CPU time (user + system) of the target's processes during the measured part ÷ requests. */
  readonly cpuUsPerRequest: number
}

/** Requests done, req/s and failed requests from h2load's summary. */
export function parseSummary(out: string): { requests: number; rps: number; errors: number } {
  const rps = /finished in [\d.]+m?s, ([\d.]+) req\/s/.exec(out)
  const counts = /requests: (\d+) total, \d+ started, (\d+) done, \d+ succeeded, (\d+) failed/.exec(
    out,
  )
  if (rps === null || counts === null) throw new Error(`cannot read h2load output:\n${out}`)
  return { requests: Number(counts[2]), rps: Number(rps[1]), errors: Number(counts[3]) }
}

/**
 * p50 and p99 in ms from h2load's log (start µs, status, duration µs per line). Status 0 marks a
 * request still in flight when the measurement ended (no answer yet): left out.
 */
export function parseLog(log: string): { p50ms: number; p99ms: number } {
  const durations: number[] = []
  for (const line of log.split('\n')) {
    const [, status, us] = line.split('\t')
    if (status !== undefined && status !== '0' && us !== undefined) durations.push(Number(us))
  }
  if (durations.length === 0) throw new Error('h2load logged no answered request')
  durations.sort((a, b) => a - b)
  const at = (q: number): number =>
    (durations[Math.min(durations.length - 1, Math.floor(q * durations.length))] as number) / 1000
  return { p50ms: at(0.5), p99ms: at(0.99) }
}

function cpuOf(procs: readonly Proc[]): number {
  return procs.reduce((sum, p) => sum + cpuSeconds(p.child.pid ?? 0), 0)
}

/** One run of `h2load -t1 -c… -m… -D … --warm-up-time …` with `:authority: bench`. */
export async function h2load(o: H2loadOptions): Promise<H2Result> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-h2load-'))
  const log = join(dir, 'requests.log')
  const args = [
    ...['-t1', `-c${o.connections}`, `-m${o.streams}`],
    ...['-D', String(o.seconds), '--warm-up-time', String(o.warmUpSeconds)],
    ...['-H', ':authority: bench', '--log-file', log, `http://127.0.0.1:${o.port}${o.path}`],
  ]
  let cpuStart = cpuOf(o.procs)
  const warm = setTimeout(() => (cpuStart = cpuOf(o.procs)), o.warmUpSeconds * 1000)
  try {
    const out = await new Promise<string>((resolve, reject) => {
      const timeout = (o.seconds + o.warmUpSeconds + 30) * 1000
      execFile('h2load', args, { timeout }, (err, stdout) => {
        if (err !== null) reject(new Error(`h2load failed: ${err.message}\n${stdout}`))
        else resolve(stdout)
      })
    })
    const cpu = cpuOf(o.procs) - cpuStart
    const summary = parseSummary(out)
    const latency = parseLog(readFileSync(log, 'utf8'))
    return { ...summary, ...latency, cpuUsPerRequest: (cpu * 1e6) / summary.requests }
  } finally {
    clearTimeout(warm)
    rmSync(dir, { recursive: true, force: true })
  }
}
