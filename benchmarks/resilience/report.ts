/** The resilience benchmark's table and its targets. */
import { percentile, type LoadTally, type MethodTally } from '../../testing/steady-load.js'

/** What one target showed: the rolling restart and the brown-out. */
export interface Row {
  readonly name: string
  readonly rolling: LoadTally
  readonly brownOut: LoadTally
}

const EMPTY: MethodTally = { total: 0, failed: 0, latenciesMs: [], failures: {} }
const of = (t: LoadTally, m: string): MethodTally => t[m] ?? EMPTY

function successRate(t: MethodTally): string {
  return t.total === 0 ? '–' : `${((100 * (t.total - t.failed)) / t.total).toFixed(1)} %`
}

/** The Markdown table, one line per target. */
export function table(rows: readonly Row[]): string {
  const lines = rows.map((r) => {
    const get = of(r.rolling, 'GET')
    const post = of(r.rolling, 'POST')
    const p99 = percentile([...get.latenciesMs, ...post.latenciesMs], 99)
    const brown = `${successRate(of(r.brownOut, 'GET'))} / ${successRate(of(r.brownOut, 'POST'))}`
    return `| ${r.name} | ${get.failed} / ${get.total} | ${post.failed} / ${post.total} | ${p99.toFixed(1)} | ${brown} |`
  })
  const head =
    '| target | rolling restart: GET failed / total | POST failed / total | p99 ms | brown-out success GET / POST |'
  return [head, '|---|---:|---:|---:|---:|', ...lines].join('\n')
}

/**
 * The targets for each router row: no failed idempotent (GET) request during the rolling
 * restart, and no more failed POSTs than nginx. One line each, `met` or `NOT met`.
 */
export function targets(rows: readonly Row[], reference: string): string[] {
  const nginx = rows.find((r) => r.name === reference)
  const nginxPosts = nginx === undefined ? NaN : of(nginx.rolling, 'POST').failed
  return rows
    .filter((r) => r !== nginx)
    .flatMap((r) => {
      const gets = of(r.rolling, 'GET').failed
      const posts = of(r.rolling, 'POST').failed
      return [
        `${r.name}: 0 failed GETs: ${gets === 0 ? 'met' : 'NOT met'} (${gets})`,
        `${r.name}: failed POSTs ≤ ${reference}'s: ${posts <= nginxPosts ? 'met' : 'NOT met'} (${posts} vs ${nginxPosts})`,
      ]
    })
}

/** What failed, per target, phase and method: each kind of failure with its count. */
export function failureKinds(rows: readonly Row[]): string[] {
  const phases = (r: Row): [string, LoadTally][] => [
    ['rolling restart', r.rolling],
    ['brown-out', r.brownOut],
  ]
  return rows.flatMap((r) =>
    phases(r).flatMap(([phase, tally]) =>
      Object.entries(tally).flatMap(([method, t]) =>
        Object.entries(t.failures).map(
          ([kind, n]) => `${r.name}, ${phase}, ${method}: ${n} × ${kind}`,
        ),
      ),
    ),
  )
}
