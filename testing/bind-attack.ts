/**
 * What the bounded-binding tests (issue 13) share: the union-explosion dtab, a background
 * client measuring the latency other users see meanwhile, and a child's resident memory.
 */
import type { ExecutionContext } from 'ava'
import { readFileSync } from 'node:fs'

/**
 * `/p0=>/p1&/p1;…;/p<n>=>leaf;/svc/foo=>/p0`: every level's union splits in two, so an
 * unshared bind of `/svc/foo` has 2^n leaves. `salt` adds a dentry that changes nothing but
 * the text, so that each request is a fresh bind rather than a cached one.
 */
export function doublingDtab(n: number, leaf: string, salt = ''): string {
  const dentries: string[] = []
  for (let i = 0; i < n; i++) dentries.push(`/p${i}=>/p${i + 1}&/p${i + 1}`)
  dentries.push(`/p${n}=>${leaf}`, '/svc/foo=>/p0')
  if (salt !== '') dentries.push(`/salt/${salt}=>/nowhere`)
  return dentries.join(';')
}

/**
 * `loops` loops of requests, each timed, until `stop()`, which gives every latency (ms);
 * `count()` says how many have completed so far.
 */
export function backgroundLoad(
  request: () => Promise<unknown>,
  loops = 2,
): { stop: () => Promise<number[]>; failures: () => number; count: () => number } {
  const latencies: number[] = []
  let failures = 0
  let running = true
  const loop = async (): Promise<void> => {
    while (running) {
      const started = performance.now()
      try {
        await request()
        latencies.push(performance.now() - started)
      } catch {
        failures++
      }
    }
  }
  const all = Promise.all(Array.from({ length: loops }, loop))
  return {
    stop: async () => {
      running = false
      await all
      return latencies
    },
    failures: () => failures,
    count: () => latencies.length,
  }
}

/** Runs `backgroundLoad(request)` until 1,000 requests have completed. */
export async function warmUp(request: () => Promise<unknown>): Promise<void> {
  const load = backgroundLoad(request)
  while (load.count() < 1000) await new Promise((resolve) => setTimeout(resolve, 20))
  await load.stop()
}

/** The 99th percentile of `values` (nearest rank). */
export function p99(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * 0.99) - 1)] ?? NaN
}

/** A process's resident set (VmRSS) in MB, from /proc. */
export function rssMB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  const kb = /^VmRSS:\s+(\d+) kB$/m.exec(status)?.[1]
  if (kb === undefined) throw new Error(`no VmRSS for process ${pid}`)
  return Number(kb) / 1024
}

/**
 * The checks every attack test makes of everyone else: all their requests answered, enough of
 * them to measure, their p99 under 50 ms, and the server's RSS grown by less than 50 MB.
 */
export function assertOthersUnharmed(
  t: ExecutionContext,
  o: { latencies: readonly number[]; failures: number; rssGrowthMB: number },
): void {
  t.log(
    `others: ${o.latencies.length} requests, p99 ${p99(o.latencies).toFixed(1)} ms; RSS grew ${o.rssGrowthMB.toFixed(1)} MB`,
  )
  t.is(o.failures, 0, 'every other request was answered')
  t.true(o.latencies.length >= 1000, `only ${o.latencies.length} other requests completed`)
  t.true(p99(o.latencies) < 50, `other clients' p99 ${p99(o.latencies).toFixed(1)} ms`)
  t.true(o.rssGrowthMB < 50, `RSS grew ${o.rssGrowthMB.toFixed(1)} MB`)
}

/** What `attackUnderLoad` needs of an attack's answer: how long it took. */
export interface Timed {
  readonly ms: number
}

/**
 * Attacks a program while other clients (`served`, in `backgroundLoad`) keep using it:
 * `round(i)` (attack requests, each timed, paced as the caller chooses) runs at least `minRounds`
 * times and until the others have made 1,000 requests meanwhile, so that their p99 is a
 * percentile, not the single slowest request. Then it checks what the others saw and the growth
 * of the resident memory of process `pid` (`assertOthersUnharmed`), logs the slowest answers, and
 * gives every answer for the caller to check.
 */
export async function attackUnderLoad<A extends Timed>(
  t: ExecutionContext,
  o: {
    pid: number
    served: () => Promise<unknown>
    minRounds: number
    round: (i: number) => Promise<A[]>
  },
): Promise<A[]> {
  const rssBefore = rssMB(o.pid)
  const load = backgroundLoad(o.served)
  const answers: A[] = []
  for (let i = 0; i < o.minRounds || load.count() < 1000; i++) answers.push(...(await o.round(i)))
  const latencies = await load.stop()
  const rssGrowthMB = rssMB(o.pid) - rssBefore
  const slowest = answers.map((a) => a.ms).sort((x, y) => y - x)
  t.log(`${answers.length} attacks, slowest ${slowest.slice(0, 3).map((ms) => ms.toFixed(1))} ms`)
  assertOthersUnharmed(t, { latencies, failures: load.failures(), rssGrowthMB })
  return answers
}

/** Resolves after `ms` (the pause between paced attacks). */
export function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}
