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
import { join } from 'node:path'
import { cpuSeconds, stop, type Proc } from './procs.js'
import { startBackend, startForwarder, startRouter } from './targets.js'
import { median, wrk } from './wrk.js'

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`)
  return i === -1 ? undefined : process.argv[i + 1]
}

const seconds = Number(arg('seconds') ?? 5)
const rounds = Number(arg('rounds') ?? 4)
const baseline = arg('baseline')

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
        const us = ((cpuSeconds(pid) - before) * 1e6) / r.requests
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
