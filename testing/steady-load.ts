/**
 * A steady open-loop load for resilience tests and benchmarks: `rate` requests per second in
 * total, the methods taken in turn (GET, POST, GET, ...), each sent on time whether or not the
 * earlier ones were answered (a closed loop would slow down with the target and hide failures).
 * POSTs carry a small body. A request fails when its answer is not 2xx, or on a network error or
 * no answer within `timeoutMs`; every request's latency (until its answer's end, or its failure)
 * is kept for percentiles.
 */
import { Agent, request } from 'node:http'

export interface SteadyLoadOptions {
  /** The target's port on 127.0.0.1. */
  readonly port: number
  /** The Host header (the service name for the router). */
  readonly host: string
  /** Requests per second, all methods together. */
  readonly rate: number
  /** Taken in turn (default GET, POST). */
  readonly methods?: readonly string[]
  /** Default 30 s: a target that hangs shows as failures, not as a hung run. */
  readonly timeoutMs?: number
}

/** What the requests of one method saw. */
export interface MethodTally {
  total: number
  failed: number
  /** Per request, in ms, in the order answered. */
  readonly latenciesMs: number[]
  /**
   * Failures by kind, with their counts: the status and the first line of `l5d-err` (decoded)
   * or of the body; or the error code.
   */
  readonly failures: Record<string, number>
}

export type LoadTally = Readonly<Record<string, MethodTally>>

/** A running load: `stop()` sends no more and resolves once every request sent has ended. */
export interface SteadyLoad {
  stop(): Promise<LoadTally>
}

const BODY = JSON.stringify({ order: 42, items: ['a', 'b', 'c'] })
/** How often the sender wakes up to send what is due (a timer per request would drift). */
const TICK_MS = 5

/** Starts sending at once. */
export function startSteadyLoad(options: SteadyLoadOptions): SteadyLoad {
  const methods = options.methods ?? ['GET', 'POST']
  const agent = new Agent({ keepAlive: true, maxSockets: 256 })
  const tally: Record<string, MethodTally> = {}
  for (const m of methods) tally[m] = { total: 0, failed: 0, latenciesMs: [], failures: {} }
  const inFlight = new Set<Promise<void>>()
  const begun = performance.now()
  let sent = 0
  const timer = setInterval(() => {
    const due = Math.floor(((performance.now() - begun) * options.rate) / 1000)
    for (; sent < due; sent++) {
      const method = methods[sent % methods.length] as string
      const p = once(agent, options, method, tally[method] as MethodTally)
      inFlight.add(p)
      void p.then(() => inFlight.delete(p))
    }
  }, TICK_MS)
  return {
    async stop() {
      clearInterval(timer)
      await Promise.all(inFlight)
      agent.destroy()
      return tally
    },
  }
}

/** Sends one request and records it; never rejects. */
function once(agent: Agent, o: SteadyLoadOptions, method: string, t: MethodTally): Promise<void> {
  const start = performance.now()
  t.total++
  const done = (failure?: string): void => {
    t.latenciesMs.push(performance.now() - start)
    if (failure === undefined) return
    t.failed++
    t.failures[failure] = (t.failures[failure] ?? 0) + 1
  }
  return new Promise((resolve) => {
    let answered = false
    const headers = {
      host: o.host,
      ...(method === 'POST' ? { 'content-type': 'application/json' } : {}),
    }
    const req = request({ port: o.port, host: '127.0.0.1', method, agent, headers }, (res) => {
      answered = true
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (d: string) => (body += d))
      res.on('error', () => undefined)
      res.on('close', () => {
        const status = res.statusCode ?? 0
        const ok = res.complete && status >= 200 && status < 300
        done(ok ? undefined : `${status} ${firstLine(res.headers['l5d-err'], body)}`)
        resolve()
      })
    })
    req.setTimeout(o.timeoutMs ?? 30_000, () => req.destroy(new Error('no answer in time')))
    req.on('error', (e: NodeJS.ErrnoException) => {
      if (answered) return // the response's close reports it
      done(e.code ?? e.message)
      resolve()
    })
    req.end(method === 'POST' ? BODY : undefined)
  })
}

/** The first line of `l5d-err` (form-encoded, as linkerd sends it), else of the body. */
function firstLine(err: string | string[] | undefined, body: string): string {
  const text = typeof err === 'string' ? decodeURIComponent(err.replace(/\+/g, ' ')) : body
  return (text.split('\n')[0] ?? '').slice(0, 200)
}

/** The `p`-th percentile (0–100, nearest rank) of `xs`; NaN when empty. */
export function percentile(xs: readonly number[], p: number): number {
  if (xs.length === 0) return NaN
  const sorted = [...xs].sort((a, b) => a - b)
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length))
  return sorted[rank - 1] as number
}
