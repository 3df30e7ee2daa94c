/**
 * The TLS benchmark's two measures of one target: keep-alive requests with wrk (throughput,
 * latency, the target processes' CPU time per request) and new connections with full TLS
 * handshakes with `openssl s_time -new` (handshakes per second, CPU time per handshake).
 */
import { execFile } from 'node:child_process'
import { performance } from 'node:perf_hooks'
import { promisify } from 'node:util'
import { cpuSeconds } from '../proxy/procs.js'
import { wrk, type WrkResult } from '../proxy/wrk.js'
import type { Target } from './targets.js'

const run = promisify(execFile)

/** CPU seconds used so far by all of a target's processes. */
function cpuOf(t: Target): number {
  return t.procs.reduce((sum, p) => sum + cpuSeconds(p.child.pid ?? 0), 0)
}

export interface KeepAlive extends WrkResult {
  /** CPU time of the target's processes (all of them) ÷ the requests wrk completed. */
  readonly cpuUsPerRequest: number
}

/** One wrk run of `seconds` over `connections` kept-alive connections (100-byte answers). */
export async function keepAlive(
  t: Target,
  seconds: number,
  connections: number,
): Promise<KeepAlive> {
  const before = cpuOf(t)
  const headers = ['Host: bench']
  const r = await wrk({ port: t.port, scheme: t.scheme, seconds, connections, headers })
  return { ...r, cpuUsPerRequest: ((cpuOf(t) - before) * 1e6) / r.requests }
}

export interface Handshakes {
  readonly perSecond: number
  /** CPU time of the target's processes ÷ the handshakes done. */
  readonly cpuUsPerHandshake: number
}

/**
 * `clients` processes of `openssl s_time -new -tls1_3` at once for `seconds`: each opens a new
 * connection, does a full handshake (a new session every time, no resumption), sends no request
 * and closes, over and over. Handshakes per second = all connections ÷ the wall time.
 */
export async function handshakes(t: Target, seconds: number, clients: number): Promise<Handshakes> {
  const args = ['s_time', '-connect', `127.0.0.1:${t.port}`, '-new', '-tls1_3']
  const before = cpuOf(t)
  const start = performance.now()
  const outs = await Promise.all(
    Array.from({ length: clients }, () =>
      run('openssl', [...args, '-time', String(seconds)], { timeout: (seconds + 30) * 1000 }),
    ),
  )
  const wallSeconds = (performance.now() - start) / 1000
  const cpu = cpuOf(t) - before
  const done = outs.reduce((n, o) => n + parseSTime(o.stdout), 0)
  return { perSecond: done / wallSeconds, cpuUsPerHandshake: (cpu * 1e6) / done }
}

/** The count in s_time's `N connections in 1.61s; …` line. */
export function parseSTime(out: string): number {
  const m = /(\d+) connections in [\d.]+s;/.exec(out)
  if (m === null) throw new Error(`cannot read openssl s_time output:\n${out.slice(-500)}`)
  return Number(m[1])
}

/** What a client negotiates with `t`: protocol, cipher suite, key exchange, signature. */
export async function negotiated(t: Target): Promise<string> {
  const args = ['s_client', '-connect', `127.0.0.1:${t.port}`, '-servername', 'localhost']
  const pending = run('openssl', args, { timeout: 30_000 })
  pending.child.stdin?.end()
  const out = (await pending).stdout
  const field = (re: RegExp): string => re.exec(out)?.[1]?.trim() ?? '?'
  const cipher = field(/^New, (.+)$/m)
  const key = `${field(/^Peer signature type: (.+)$/m)} ${field(/^Server public key is (.+)$/m)}`
  return `${cipher}, key exchange ${field(/^Server Temp Key: (.+)$/m)}, certificate ${key}`
}
