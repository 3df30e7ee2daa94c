/** The TLS benchmark's Markdown tables and its two targets. */
import { median, summarise } from '../proxy/wrk.js'
import type { Handshakes, KeepAlive } from './measure.js'

/** Every round's result of one target, in round order (rounds are paired across targets). */
export type Rounds<T> = ReadonlyMap<string, readonly T[]>

const num = (x: number): string => Math.round(x).toLocaleString('en-US')

/** The median over rounds of `a`'s value ÷ `b`'s in the same round. */
export function pairedRatio<T>(
  rounds: Rounds<T>,
  a: string,
  b: string,
  f: (r: T) => number,
): number {
  const theirs = rounds.get(b) ?? []
  return median((rounds.get(a) ?? []).map((r, i) => f(r) / f(theirs[i] as T)))
}

/** One line per target: medians of the rounds' req/s, p50, p99 and CPU per request. */
export function keepAliveTable(rounds: Rounds<KeepAlive>): string {
  const lines = [...rounds].map(([name, rs]) => {
    const { rps, p50ms, p99ms, errors } = summarise(rs)
    const cpu = median(rs.map((r) => r.cpuUsPerRequest))
    const range = `${Math.min(...rs.map((r) => r.cpuUsPerRequest)).toFixed(0)}–${Math.max(...rs.map((r) => r.cpuUsPerRequest)).toFixed(0)}`
    return `| ${name} | ${num(rps)} | ${p50ms.toFixed(2)} / ${p99ms.toFixed(2)} | ${cpu.toFixed(0)} (${range}) | ${errors} |`
  })
  const head = '| target | req/s | p50 / p99 ms | CPU µs / request (range) | errors |'
  return [head, '|---|---:|---:|---:|---:|', ...lines].join('\n')
}

/** One line per target: medians of the rounds' handshakes per second and CPU per handshake. */
export function handshakeTable(rounds: Rounds<Handshakes>): string {
  const lines = [...rounds].map(([name, rs]) => {
    const perSecond = median(rs.map((r) => r.perSecond))
    const cpu = median(rs.map((r) => r.cpuUsPerHandshake))
    return `| ${name} | ${num(perSecond)} | ${cpu.toFixed(0)} |`
  })
  const head = '| target | full handshakes / s | server CPU µs / handshake |'
  return [head, '|---|---:|---:|', ...lines].join('\n')
}

/** The names of the four keep-alive targets and the two handshake targets, as run.ts gives them. */
export interface Names {
  readonly nginx: string
  readonly router: string
  readonly mtls: string
  readonly plain: string
}

/** The ratios side by side, paired within rounds, with the two targets met or not. */
export function ratioTable(
  keepAlive: Rounds<KeepAlive>,
  shakes: Rounds<Handshakes>,
  n: Names,
): string {
  const rps = (r: KeepAlive): number => r.rps
  const cpu = (r: KeepAlive): number => r.cpuUsPerRequest
  const throughput = pairedRatio(keepAlive, n.router, n.nginx, rps)
  const cpuCost = pairedRatio(keepAlive, n.mtls, n.plain, cpu)
  const rows: [string, number, string][] = [
    ['router TLS ÷ nginx TLS, keep-alive req/s', throughput, verdict(throughput >= 0.5, '≥ 0.5×')],
    [
      'mTLS two hops ÷ plain two hops, CPU µs / request',
      cpuCost,
      verdict(cpuCost <= 1.5, '≤ 1.5×'),
    ],
    ['mTLS two hops ÷ plain two hops, req/s', pairedRatio(keepAlive, n.mtls, n.plain, rps), '–'],
    [
      'router TLS ÷ nginx TLS, CPU µs / request',
      pairedRatio(keepAlive, n.router, n.nginx, cpu),
      '–',
    ],
    [
      'router ÷ nginx, full handshakes / s',
      pairedRatio(shakes, n.router, n.nginx, (r) => r.perSecond),
      '–',
    ],
  ]
  const lines = rows.map(([what, x, target]) => `| ${what} | ${x.toFixed(2)}× | ${target} |`)
  return ['| ratio (paired medians of rounds) | value | target |', '|---|---:|---|', ...lines].join(
    '\n',
  )
}

export function verdict(met: boolean, target: string): string {
  return `${target}: ${met ? 'met' : '**NOT met**'}`
}
