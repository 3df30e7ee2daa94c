/** The HTTP/2 benchmark's Markdown tables, its ratios and the issue's two targets. */
import { pairedRatio, verdict, type Rounds } from '../tls/report.js'
import { median, summarise } from '../proxy/wrk.js'
import type { H2Result } from './h2load.js'
import type { HeldStreams } from './streams.js'

/** One h2load run of one target, with the target's RSS read right after it. */
export interface Run extends H2Result {
  readonly rssMiB: number
}

/** The names of the targets the ratios compare, as run.ts gives them. */
export interface Names {
  readonly nginx: string
  readonly bare: string
  readonly http2Proxy: string
  readonly router: string
}

const num = (x: number): string => Math.round(x).toLocaleString('en-US')

/** One line per target: medians of the rounds' req/s, p50/p99, CPU per request and RSS. */
export function loadTable(rounds: Rounds<Run>): string {
  const lines = [...rounds].map(([name, rs]) => {
    const { rps, p50ms, p99ms, errors } = summarise(rs)
    const cpus = rs.map((r) => r.cpuUsPerRequest)
    const range = `${Math.min(...cpus).toFixed(0)}–${Math.max(...cpus).toFixed(0)}`
    const rss = median(rs.map((r) => r.rssMiB)).toFixed(0)
    const latency = `${p50ms.toFixed(2)} / ${p99ms.toFixed(2)}`
    return `| ${name} | ${num(rps)} | ${latency} | ${median(cpus).toFixed(0)} (${range}) | ${rss} | ${errors} |`
  })
  const head = '| target | req/s | p50 / p99 ms | CPU µs / request (range) | RSS MiB | errors |'
  return [head, '|---|---:|---:|---:|---:|---:|', ...lines].join('\n')
}

type Row = readonly [what: string, value: number | undefined, target: string]

/** The rows of one body size; a target that did not run gives no value. */
function rowsFor(body: string, rounds: Rounds<Run>, n: Names): Row[] {
  const has = (name: string): boolean => (rounds.get(name)?.length ?? 0) > 0
  const rps = (a: string, b: string): number | undefined =>
    has(a) && has(b) ? pairedRatio(rounds, a, b, (r) => r.rps) : undefined
  const cpu = (a: string, b: string): number | undefined =>
    has(a) && has(b) ? pairedRatio(rounds, a, b, (r) => r.cpuUsPerRequest) : undefined
  const check = (x: number | undefined, floor: number): string =>
    x === undefined ? 'not run' : verdict(x >= floor, `≥ ${floor.toFixed(1)}×`)
  const toBare = rps(n.router, n.bare)
  const toNginx = rps(n.router, n.nginx)
  return [
    [`${body}: router ÷ bare forwarder, req/s`, toBare, check(toBare, 1)],
    [`${body}: router ÷ nginx, req/s`, toNginx, check(toNginx, 0.5)],
    [`${body}: router ÷ bare forwarder, CPU µs / request`, cpu(n.router, n.bare), '–'],
    [`${body}: bare forwarder ÷ nginx, req/s`, rps(n.bare, n.nginx), '–'],
    [`${body}: bare h2 → h2 ÷ http2-proxy h2 → h1, req/s`, rps(n.bare, n.http2Proxy), '–'],
    [`${body}: bare h2 → h2 ÷ http2-proxy h2 → h1, CPU`, cpu(n.bare, n.http2Proxy), '–'],
  ]
}

/** The ratios side by side for every body size (paired within rounds), targets met or not. */
export function ratioTable(byBody: ReadonlyMap<string, Rounds<Run>>, n: Names): string {
  const rows = [...byBody].flatMap(([body, rounds]) => rowsFor(body, rounds, n))
  const lines = rows.map(
    ([what, x, target]) =>
      `| ${what} | ${x === undefined ? '–' : `${x.toFixed(2)}×`} | ${target} |`,
  )
  const head = '| ratio (paired medians of rounds) | value | target |'
  return [head, '|---|---:|---|', ...lines].join('\n')
}

/** One line per proxy: RSS before and with the held streams, and what the backends saw. */
export function streamsTable(rows: ReadonlyMap<string, HeldStreams>): string {
  const lines = [...rows].map(([name, h]) => {
    const perStream = ((h.rssWith - h.rssBefore) * 1024) / Math.max(1, h.opened)
    const cells = [
      `${num(h.streams)} (${h.connections})`,
      `${num(h.opened)} in ${h.openSeconds.toFixed(1)} s`,
      num(h.heldAtBackends),
      `${h.rssBefore.toFixed(0)} / ${h.rssWith.toFixed(0)}`,
      perStream.toFixed(1),
      num(h.heldAfterClose),
    ]
    return `| ${name} | ${cells.join(' | ')} |`
  })
  const head =
    '| proxy | streams (connections) | open end to end | held at the backends | RSS MiB before / with | KiB per stream | still held 5 s after the client left |'
  return [head, '|---|---:|---:|---:|---:|---:|---:|', ...lines].join('\n')
}
