/**
 * The TLS benchmark, one command, one run, in front of the proxy benchmark's plain Node backend:
 *
 * - keep-alive: wrk (`-t1`, fixed connections, 100-byte answers) through (a) nginx, one worker,
 *   terminating TLS, (b) the router (one process) terminating TLS, (c) two routers in a row with
 *   mutual TLS between them, (d) the same two routers in plain HTTP; the four alternated round by
 *   round, so that the phases of a shared machine hit all alike. Per target: req/s, p50/p99, and
 *   the CPU time of its processes (both routers for (c) and (d)) per request;
 * - handshakes: new connections with full TLS 1.3 handshakes per second (`openssl s_time -new`,
 *   handshake only) against nginx and the router, alternated the same way.
 *
 * Prints Markdown tables with the ratios and whether the two targets are met (router TLS ≥ 0.5×
 * nginx's throughput; mTLS two hops ≤ 1.5× the plain two hops' CPU per request). Like the proxy
 * and resilience benchmarks it exits non-zero only when the harness fails, never because a target
 * is missed: on a shared machine a miss needs a second run before it means anything.
 *
 *   npm run bench:tls [-- --seconds 10 --connections 50 --rounds 3 --handshake-seconds 5]
 */
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { stop, type Proc } from '../proxy/procs.js'
import { startBackend } from '../proxy/targets.js'
import { header } from '../propagation/report.js'
import { handshakes, keepAlive, negotiated, type Handshakes, type KeepAlive } from './measure.js'
import { handshakeTable, keepAliveTable, ratioTable, type Rounds } from './report.js'
import { makePki, nginxTls, routerTls, twoHops, type Target } from './targets.js'

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '10' },
    connections: { type: 'string', default: '50' },
    rounds: { type: 'string', default: '3' },
    'handshake-seconds': { type: 'string', default: '5' },
    'handshake-clients': { type: 'string', default: '2' },
  },
})
const seconds = Number(values.seconds)
const connections = Number(values.connections)
const rounds = Number(values.rounds)
const handshakeSeconds = Number(values['handshake-seconds'])
const handshakeClients = Number(values['handshake-clients'])

// The routers' info lines (listening, stopped) would interleave with the results.
process.env.LOG_LEVEL ??= 'warn'

/** Each target measured once per round, in turn; results per target in round order. */
async function alternate<T>(
  phase: string,
  targets: readonly Target[],
  measure: (t: Target) => Promise<T>,
): Promise<Rounds<T>> {
  const results = new Map<string, T[]>(targets.map((t) => [t.name, []]))
  for (let round = 0; round < rounds; round++) {
    process.stderr.write(`${phase}: round ${round + 1} of ${rounds}...\n`)
    for (const t of targets) results.get(t.name)?.push(await measure(t))
  }
  return results
}

async function main(): Promise<void> {
  const pki = await makePki(mkdtempSync(join(tmpdir(), 'bench-tls-')))
  const procs: Proc[] = []
  const started = async (p: Promise<Target>): Promise<Target> => {
    const t = await p
    procs.push(...t.procs)
    return t
  }
  try {
    const backend = async (): Promise<Proc> => {
      const p = await startBackend()
      procs.push(p)
      return p
    }
    const backends = [await backend(), await backend()] as const
    const ports = [backends[0].port, backends[1].port] as const
    const nginx = await started(nginxTls(pki, ports[0]))
    const router = await started(routerTls(pki, ports))
    const mtls = await started(twoHops(pki, ports, true))
    const plain = await started(twoHops(pki, ports, false))
    const all = [nginx, router, mtls, plain]
    const tls = `nginx: ${await negotiated(nginx)}; router: ${await negotiated(router)}`
    for (const t of all) await keepAlive(t, 2, connections) // warm-up: JIT, connections, bindings
    const kept = await alternate<KeepAlive>('keep-alive', all, (t) =>
      keepAlive(t, seconds, connections),
    )
    const shakes = await alternate<Handshakes>('handshakes', [nginx, router], (t) =>
      handshakes(t, handshakeSeconds, handshakeClients),
    )
    const names = { nginx: nginx.name, router: router.name, mtls: mtls.name, plain: plain.name }
    const out = [
      `tls benchmark: ${header()}`,
      `Negotiated: ${tls}.`,
      `Keep-alive: wrk -t1 -c${connections} -d${seconds}s × ${rounds} alternated rounds (medians), 100-byte answers; CPU = the target's processes' user + system time ÷ requests.`,
      '',
      keepAliveTable(kept),
      '',
      `Full handshakes: ${handshakeClients} × \`openssl s_time -new -tls1_3\` at once (handshake only, no request), ${handshakeSeconds} s × ${rounds} alternated rounds (medians).`,
      '',
      handshakeTable(shakes),
      '',
      ratioTable(kept, shakes, names),
    ]
    process.stdout.write(`${out.join('\n')}\n`)
  } finally {
    for (const p of procs.reverse()) await stop(p)
  }
}

await main()
