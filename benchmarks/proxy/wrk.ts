/** Runs wrk against a port and parses what it prints. */
import { execFile } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export interface WrkResult {
  /** Requests completed in the run (wrk's `N requests in`). */
  readonly requests: number
  readonly rps: number
  readonly p50ms: number
  readonly p99ms: number
  readonly errors: number
}

export interface WrkOptions {
  readonly port: number
  readonly seconds: number
  readonly connections: number
  /** Extra request headers, e.g. `Host: users`. */
  readonly headers?: readonly string[]
  /** `https`: wrk speaks TLS (it checks no certificate); default `http`. */
  readonly scheme?: 'http' | 'https'
  /** Offered load in requests/s (exponential think time per connection); unlimited if absent. */
  readonly rate?: number
}

/** wrk's latency text (`1.23ms`, `850.00us`, `1.02s`) in milliseconds. */
export function parseDuration(text: string): number {
  const m = /^([\d.]+)(us|ms|s|m)$/.exec(text.trim())
  if (m === null) throw new Error(`cannot read wrk duration ${text}`)
  const n = Number(m[1])
  return m[2] === 'us' ? n / 1000 : m[2] === 'ms' ? n : m[2] === 's' ? n * 1000 : n * 60_000
}

/** Requests/s, p50, p99 and error count from `wrk --latency` output. */
export function parseWrk(out: string): WrkResult {
  const requests = /(\d+) requests in/.exec(out)
  const rps = /Requests\/sec:\s+([\d.]+)/.exec(out)
  const p50 = /^\s+50%\s+(\S+)/m.exec(out)
  const p99 = /^\s+99%\s+(\S+)/m.exec(out)
  if (requests === null || rps === null || p50 === null || p99 === null)
    throw new Error(`cannot read wrk output:\n${out}`)
  const non2xx = /Non-2xx or 3xx responses:\s+(\d+)/.exec(out)
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out)
  const socketErrors = socket === null ? 0 : socket.slice(1).reduce((s, n) => s + Number(n), 0)
  return {
    requests: Number(requests[1]),
    rps: Number(rps[1]),
    p50ms: parseDuration(p50[1] as string),
    p99ms: parseDuration(p99[1] as string),
    errors: Number(non2xx?.[1] ?? 0) + socketErrors,
  }
}

/** A wrk Lua script that paces each connection to offer `rate` requests/s in total. */
function rateScript(rate: number, connections: number): string {
  const file = join(tmpdir(), `wrk-rate-${rate}-${connections}.lua`)
  const meanMs = (1000 * connections) / rate
  writeFileSync(
    file,
    `math.randomseed(os.time())\nfunction delay()\n  return -math.log(1 - math.random()) * ${meanMs}\nend\n`,
  )
  return file
}

export function wrk(o: WrkOptions): Promise<WrkResult> {
  const args = ['-t1', `-c${o.connections}`, `-d${o.seconds}s`, '--latency']
  for (const h of o.headers ?? []) args.push('-H', h)
  if (o.rate !== undefined) args.push('-s', rateScript(o.rate, o.connections))
  args.push(`${o.scheme ?? 'http'}://127.0.0.1:${o.port}/`)
  return new Promise((resolve, reject) => {
    execFile('wrk', args, { timeout: (o.seconds + 30) * 1000 }, (err, stdout) => {
      if (err !== null) reject(new Error(`wrk failed: ${err.message}`))
      else resolve(parseWrk(stdout))
    })
  })
}

/** The median (the upper one of an even count). */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.floor(s.length / 2)] as number
}

/** Medians of several runs of one target (requests and errors summed). */
export function summarise(rs: readonly WrkResult[]): WrkResult {
  return {
    requests: rs.reduce((n, r) => n + r.requests, 0),
    rps: median(rs.map((r) => r.rps)),
    p50ms: median(rs.map((r) => r.p50ms)),
    p99ms: median(rs.map((r) => r.p99ms)),
    errors: rs.reduce((n, r) => n + r.errors, 0),
  }
}
