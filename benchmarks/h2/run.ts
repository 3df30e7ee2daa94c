/**
 * The HTTP/2 benchmark, one command, one run, with h2load (`-t1 -c10 -m10`: 100 streams in
 * flight over 10 h2c connections), 100-byte and 16 KiB answers, against:
 *
 * (a) the h2c backend alone (node:http2, its own process);
 * (b) nginx, one worker, h2c in and `grpc_pass` out to the backend;
 * (c) the bare `node:http2` forwarder (no routing, one pooled h2c session out);
 * (d) the router, one process, `protocol: h2`, `:authority: bench` bound through a dtab to a
 *     99/1 union over two backend processes;
 * and, for the measurement that chose node:http2 for the router's forwarder, the http2-proxy
 * forwarder (h2c in, HTTP/1.1 out to an HTTP/1.1 backend) on the same load.
 *
 * Targets and body sizes take turns round by round (a slow phase of the shared machine hits all
 * alike); the tables give medians of the rounds: req/s, p50/p99, the target process's CPU per
 * request (from /proc/<pid>/stat) and RSS. Then 10,000 streams are held open through the router
 * and through the bare forwarder to read their RSS. Prints Markdown with the ratios and the
 * issue's targets (router ≥ 1.0× the bare forwarder, ≥ 0.5× nginx). Exits non-zero only when
 * the harness fails, never for a missed target; a router that does not start is reported and
 * the rest measured.
 *
 *   npm run bench:h2 [-- --seconds 3 --rounds 3 --trailers --held-streams 10000]
 *   (--router-bin DIR/bin/router.js: the router of another built checkout)
 */
import { parseArgs } from 'node:util'
import { header } from '../propagation/report.js'
import { rssMiB, stop, type Proc } from '../proxy/procs.js'
import { h2load } from './h2load.js'
import { loadTable, ratioTable, streamsTable, type Run } from './report.js'
import { holdStreams, type HeldStreams } from './streams.js'
import {
  startBackend,
  startBareForwarder,
  startHttp2Proxy,
  startNginxH2,
  startRouter,
} from './targets.js'

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '3' },
    'warm-up': { type: 'string', default: '1' },
    rounds: { type: 'string', default: '3' },
    connections: { type: 'string', default: '10' },
    streams: { type: 'string', default: '10' },
    trailers: { type: 'boolean', default: false },
    'held-streams': { type: 'string', default: '10000' },
    'held-connections': { type: 'string', default: '5' },
    'router-bin': { type: 'string' },
  },
})
const seconds = Number(values.seconds)
const warmUpSeconds = Number(values['warm-up'])
const rounds = Number(values.rounds)
const connections = Number(values.connections)
const streams = Number(values.streams)
const heldCount = Number(values['held-streams'])
const heldConnections = Number(values['held-connections'])

const BODIES = new Map([
  ['100 B', '/'],
  ['16 KiB', '/16k'],
])

process.env.LOG_LEVEL ??= 'warn'

/** A process measured by h2load; its CPU and RSS are the target's. */
interface Target {
  readonly name: string
  readonly proc: Proc
}

async function measure(t: Target, path: string, secs = seconds): Promise<Run> {
  const load = { connections, streams, warmUpSeconds, procs: [t.proc] }
  const r = await h2load({ port: t.proc.port, path, seconds: secs, ...load })
  return { ...r, rssMiB: rssMiB(t.proc.child.pid ?? 0) }
}

/** Every body size and target once per round, in turn; per body, runs per target in round order. */
async function alternate(targets: readonly Target[]): Promise<Map<string, Map<string, Run[]>>> {
  for (const t of targets) await measure(t, '/', 2) // warm-up: JIT, sessions, bindings
  const byBody = new Map([...BODIES.keys()].map((b) => [b, new Map<string, Run[]>()]))
  for (let round = 0; round < rounds; round++) {
    process.stderr.write(`load: round ${round + 1} of ${rounds}...\n`)
    for (const [body, path] of BODIES) {
      const runs = byBody.get(body) ?? new Map<string, Run[]>()
      for (const t of targets)
        runs.set(t.name, [...(runs.get(t.name) ?? []), await measure(t, path)])
    }
  }
  return byBody
}

async function main(): Promise<void> {
  const procs: Proc[] = []
  const started = async (p: Promise<Proc>): Promise<Proc> => {
    const proc = await p
    procs.push(proc)
    return proc
  }
  try {
    const backends = [
      await started(startBackend('h2c', values.trailers)),
      await started(startBackend('h2c', values.trailers)),
    ] as const
    const h1Backend = await started(startBackend('http1', false))
    const targets: Target[] = [{ name: 'backend alone (h2c)', proc: backends[0] }]
    const add = async (p: Promise<Proc>): Promise<Proc> => {
      const proc = await started(p)
      targets.push({ name: proc.name, proc })
      return proc
    }
    const nginx = await add(startNginxH2(backends[0].port))
    const bare = await add(startBareForwarder(backends[0].port))
    const http2Proxy = await add(startHttp2Proxy(h1Backend.port))
    const router = await add(
      startRouter([backends[0].port, backends[1].port], values['router-bin']),
    ).catch((e: unknown) => `router not run: ${e instanceof Error ? e.message : String(e)}`)
    const byBody = await alternate(targets)
    process.stderr.write(`holding ${heldCount} streams...\n`)
    const held = new Map<string, HeldStreams>()
    for (const p of typeof router === 'string' ? [bare] : [router, bare])
      held.set(p.name, await holdStreams(p, backends, heldCount, heldConnections))
    const names = {
      nginx: nginx.name,
      bare: bare.name,
      http2Proxy: http2Proxy.name,
      router: 'router',
    }
    const trailers = values.trailers ? ', answers with gRPC-like trailers' : ''
    const out = [
      `h2 benchmark: ${header()}`,
      `h2load -t1 -c${connections} -m${streams} (${connections * streams} streams in flight), ${seconds} s after ${warmUpSeconds} s of warm-up × ${rounds} alternated rounds (medians)${trailers}; CPU = the target process's user + system time ÷ requests; RSS after each run.`,
      ...(typeof router === 'string' ? ['', `**${router}**`] : []),
      ...[...byBody].flatMap(([body, runs]) => ['', `${body} answers:`, '', loadTable(runs)]),
      '',
      ratioTable(byBody, names),
      '',
      `Streams held open (the backends answer the headers and keep them open), over ${heldConnections} h2c connections:`,
      '',
      streamsTable(held),
    ]
    process.stdout.write(`${out.join('\n')}\n`)
  } finally {
    for (const p of procs.reverse()) await stop(p)
  }
}

await main()
