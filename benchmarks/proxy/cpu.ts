/**
 * CPU time per request, the measure that decides data-path changes on a shared machine (req/s
 * moves ±15 % between runs here; CPU per request much less). Runs wrk against each target in
 * turn, several rounds, and divides the target process's CPU time (user + system, from
 * /proc/<pid>/stat) by the requests it served. Targets: the undici forwarder, this router, and
 * with `--baseline DIR` the router of another checkout (e.g. a `git worktree` of the previous
 * commit, built), to compare a change with what it replaces.
 *
 *   npm run build && node dist/benchmarks/proxy/cpu.js [--seconds 5 --rounds 4 --baseline DIR]
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { stop, type Proc } from './procs.js'
import { startBackend, startForwarder, startRouter } from './targets.js'
import { wrk } from './wrk.js'

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`)
  return i === -1 ? undefined : process.argv[i + 1]
}

const seconds = Number(arg('seconds') ?? 5)
const rounds = Number(arg('rounds') ?? 4)
const baseline = arg('baseline')

/** CPU seconds (user + system) a process has used; the kernel counts in 1/100 s. */
function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  return (Number(fields[11]) + Number(fields[12])) / 100
}

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.floor(s.length / 2)] as number
}

async function main(): Promise<void> {
  const backends = [await startBackend(), await startBackend()] as const
  const ports = [backends[0].port, backends[1].port] as const
  const targets: Proc[] = [await startForwarder('undici', ports[0])]
  targets.push(await startRouter(ports, 1))
  if (baseline !== undefined)
    targets.push(await startRouter(ports, 1, join(baseline, 'bin/router.js'), 'baseline router'))
  const headers = (p: Proc): string[] => (p.name.includes('router') ? ['Host: bench'] : [])
  const usPerRequest = new Map<string, number[]>()
  try {
    for (const t of targets)
      await wrk({ port: t.port, seconds: 2, connections: 50, headers: headers(t) })
    for (let round = 0; round < rounds; round++) {
      for (const t of targets) {
        const pid = t.child.pid ?? 0
        const before = cpuSeconds(pid)
        const r = await wrk({ port: t.port, seconds, connections: 50, headers: headers(t) })
        const us = ((cpuSeconds(pid) - before) * 1e6) / (r.rps * seconds)
        usPerRequest.set(t.name, [...(usPerRequest.get(t.name) ?? []), us])
      }
    }
  } finally {
    for (const p of [...targets, ...backends].reverse()) await stop(p)
  }
  const ref = usPerRequest.get('undici forwarder') ?? []
  for (const [name, xs] of usPerRequest) {
    const paired = median(xs.map((x, i) => x / (ref[i] ?? NaN)))
    const range = `${Math.min(...xs).toFixed(0)}–${Math.max(...xs).toFixed(0)}`
    process.stdout.write(
      `${name}: ${median(xs).toFixed(0)} µs CPU/request (${range}), ${paired.toFixed(2)}× the undici forwarder's\n`,
    )
  }
}

await main()
