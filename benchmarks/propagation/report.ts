/** The propagation benchmark's Markdown output: a header line, the table, and notes. */
import { execSync } from 'node:child_process'
import { cpus } from 'node:os'
import type { UpdateResult } from './measure.js'

/** What one (store, N) measurement found. */
export interface Row {
  readonly store: string
  readonly routers: number
  readonly updates: readonly UpdateResult[]
  /** Median request round trip through a router, ms. */
  readonly rttMs: number
  /** Median time between two sends of one client, ms (the pacing actually achieved). */
  readonly stepMs: number
  readonly paceMs: number
  /** Failed requests and non-200 answers during the measured updates. */
  readonly errors: number
  readonly requests: number
}

/** Nearest-rank quantile (of 20 values, p50 is the 10th and p99 the 20th, the max). */
export function quantile(xs: readonly number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.max(0, Math.ceil(q * s.length) - 1)] ?? Number.NaN
}

/** Date, commit, Node version and CPU, as the other benchmarks print them. */
export function header(): string {
  const commit = execSync('git rev-parse --short HEAD', { stdio: ['ignore', 'pipe', 'ignore'] })
    .toString()
    .trim()
  const cpu = `${cpus().length} × ${cpus()[0]?.model ?? '?'}`
  return `${new Date().toISOString().slice(0, 10)}, commit ${commit}, Node ${process.version}, ${cpu}`
}

const ms = (x: number): string => x.toFixed(1)

/** The table (store | N | p50 | p99 | max | resolution) and one note line per row. */
export function table(rows: readonly Row[]): string {
  const lines = rows.map((r) => {
    const maxes = r.updates.map((u) => u.maxMs)
    const resolution = `RTT p50 ${r.rttMs.toFixed(2)} ms, send every ${ms(r.stepMs)} ms (pace ${r.paceMs} ms)`
    return `| ${r.store} | ${r.routers} | ${ms(quantile(maxes, 0.5))} | ${ms(quantile(maxes, 0.99))} | ${ms(Math.max(...maxes))} | ${resolution} |`
  })
  const notes = rows.map((r) => {
    const clamped = r.updates.reduce((n, u) => n + u.clamped, 0)
    const pairs = r.updates.length * r.routers
    const raw = r.updates.map((u) => u.rawMaxMs)
    const out = r.updates.map((u) => u.fromOutputMs)
    const p = (xs: number[]): string => `${ms(quantile(xs, 0.5))} / ${ms(quantile(xs, 0.99))}`
    return (
      `- ${r.store}, N = ${r.routers}: ${r.updates.length} updates; ${clamped} of ${pairs} router-updates clamped at 0; ` +
      `unclamped p50 / p99 ${p(raw)} ms from namerctl's exit, ${p(out)} ms from its output line; ` +
      `${r.errors} errors in ${r.requests.toLocaleString('en-US')} requests`
    )
  })
  return [
    '| store | N | p50 ms | p99 ms | max ms | resolution |',
    '|---|---:|---:|---:|---:|---|',
    ...lines,
    '',
    ...notes,
  ].join('\n')
}
