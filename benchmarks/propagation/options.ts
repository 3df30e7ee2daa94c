/** Command-line options of the propagation benchmark. */

export type Store = 'file' | 'etcd'

export interface Options {
  readonly stores: readonly Store[]
  readonly routers: readonly number[]
  /** Measured updates per (store, N). */
  readonly updates: number
  /** Pause after every router has switched, before the next update (ms). */
  readonly gapMs: number
  /** Minimum time between two sends of one client; undefined: `paceFor(N)`. */
  readonly paceMs: number | undefined
}

/**
 * Default pacing for N routers: N / 2 ms, at least 2 ms (1: 2 ms, 10: 5 ms, 50: 25 ms), so
 * that the whole fleet is offered at most ~2,000 requests/s. On 2 vCPUs the clients, the
 * routers and the backends share the cores with namerd and etcd; at this rate they take about
 * one core (measured: 10 routers at ~2,100 requests/s), so propagation is not measured through
 * a saturated run queue. The price is resolution: a router that switched is seen at its next
 * send, up to one pace later.
 */
export function paceFor(routers: number): number {
  return Math.max(2, routers / 2)
}

/**
 * `--quick` (N = 1 and 10, 5 updates), `--stores file,etcd`, `--routers 1,10,50`,
 * `--updates 20`, `--gap-ms 1000`, `--pace-ms P`. Throws on anything else.
 */
export function options(argv: readonly string[]): Options {
  const quick = argv.includes('--quick')
  const value = (name: string): string | undefined => {
    const i = argv.indexOf(`--${name}`)
    if (i === -1) return undefined
    const v = argv[i + 1]
    if (v === undefined) throw new Error(`--${name} needs a value`)
    return v
  }
  const numbers = (name: string, fallback: readonly number[], min = 1): readonly number[] => {
    const v = value(name)
    const xs = v === undefined ? fallback : v.split(',').map(Number)
    if (xs.some((x) => !Number.isFinite(x) || x < min)) throw new Error(`--${name}: ${v}`)
    return xs
  }
  const known = ['--quick', '--stores', '--routers', '--updates', '--gap-ms', '--pace-ms']
  const unknown = argv.filter((a) => a.startsWith('--') && !known.includes(a))
  if (unknown.length > 0) throw new Error(`unknown option(s): ${unknown.join(' ')}`)
  const stores = (value('stores') ?? 'file,etcd').split(',')
  if (stores.some((s) => s !== 'file' && s !== 'etcd')) {
    throw new Error(`--stores: expected file and/or etcd, got ${stores.join(',')}`)
  }
  const pace = value('pace-ms')
  return {
    stores: stores as Store[],
    routers: numbers('routers', quick ? [1, 10] : [1, 10, 50]),
    updates: (numbers('updates', [quick ? 5 : 20]) as [number])[0],
    gapMs: (numbers('gap-ms', [1000], 0) as [number])[0],
    // 0 is allowed: unpaced, one request after the other.
    paceMs: pace === undefined ? undefined : (numbers('pace-ms', [], 0) as [number])[0],
  }
}
