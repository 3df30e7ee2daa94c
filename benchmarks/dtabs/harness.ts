/**
 * A small micro-benchmark harness: each case runs for a warm-up, then in rounds of a fixed
 * number of operations; the result is the median ns/op over the rounds (robust to a noisy
 * neighbour on a 2-core machine).
 */
export interface Case {
  readonly name: string
  /** Runs the operation `n` times; returns something so the work is not optimised away. */
  readonly run: (n: number) => unknown
  readonly target?: { readonly maxNs: number; readonly what: string }
}

export interface Result {
  readonly name: string
  readonly nsPerOp: number
  readonly opsPerSec: number
  readonly target?: Case['target']
}

let sink: unknown

function timeNs(c: Case, n: number): number {
  const start = process.hrtime.bigint()
  sink = c.run(n)
  return Number(process.hrtime.bigint() - start)
}

/** Picks a round size that takes about `roundMs`, warms up, then measures `rounds` rounds. */
export function measure(c: Case, rounds = 15, roundMs = 40): Result {
  let n = 1
  while (timeNs(c, n) < roundMs * 1e6 * 0.25 && n < 1e9) n *= 4
  for (let i = 0; i < 3; i++) timeNs(c, n)
  const samples: number[] = []
  for (let i = 0; i < rounds; i++) samples.push(timeNs(c, n) / n)
  samples.sort((a, b) => a - b)
  const nsPerOp = samples[Math.floor(samples.length / 2)] as number
  void sink
  return { name: c.name, nsPerOp, opsPerSec: 1e9 / nsPerOp, target: c.target }
}

/** A Markdown table of results, with a pass/fail column for targets. */
export function table(results: readonly Result[]): string {
  const rows = results.map((r) => {
    const t =
      r.target === undefined
        ? ''
        : `${r.nsPerOp <= r.target.maxNs ? 'met' : 'MISSED'}: ${r.target.what}`
    return `| ${r.name} | ${fmt(r.nsPerOp)} | ${Math.round(r.opsPerSec).toLocaleString('en-US')} | ${t} |`
  })
  return ['| case | ns/op | ops/s | target |', '|---|---:|---:|---|', ...rows].join('\n')
}

function fmt(ns: number): string {
  return ns >= 100 ? Math.round(ns).toLocaleString('en-US') : ns.toFixed(1)
}
