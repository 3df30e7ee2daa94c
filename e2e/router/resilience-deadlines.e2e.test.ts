// Time bounds across real sockets and processes: a slow endpoint's attempts time out
// (client.requestAttemptTimeoutMs) and go to the other endpoint; a router's deadline
// (service.totalTimeoutMs) reaches the next router in l5d-ctx-deadline, and that router stops
// when it passes (504 ERR_DEADLINE_EXCEEDED).
import test, { type ExecutionContext } from 'ava'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { setTimeout as sleep } from 'node:timers/promises'
import {
  adminMetrics,
  backend,
  client,
  send,
  startRouter,
  tempDir,
  type Backend,
  type RunningRouter,
} from '../../testing/router/process.js'
import {
  SERVICE,
  backendProcesses,
  getsFor,
  metricSum,
  routerOver,
} from '../../testing/router/resilience.js'

test('a slow endpoint: requestAttemptTimeoutMs moves each GET to the other endpoint', async (t) => {
  // Processes: the backends answer on time even when this test's own process is busy.
  const [slow, fast] = await backendProcesses(t, 2)
  if (slow === undefined || fast === undefined) return t.fail()
  await slow.setMode({ kind: 'delay', ms: 10_000 })
  const router = await routerOver(t, [slow, fast], {
    service: { responseClassifier: { kind: 'io.l5d.http.retryableRead5XX' } },
    client: { requestAttemptTimeoutMs: 500 },
  })
  const gets = await getsFor(t, router, 20, 2000)
  t.true(gets.total > 20)
  t.is(gets.failed, 0, JSON.stringify(gets.failures))
  const [slowSaw, fastSaw] = [await slow.counts(), await fast.counts()]
  t.true(slowSaw.requests > 0, 'the slow endpoint was tried')
  // The slow one never finished an answer: every 200 came from the fast one (which may have
  // answered an attempt the router had already given up on, on a loaded machine).
  t.is(slowSaw.byStatus[200], undefined)
  t.true((fastSaw.byStatus[200] ?? 0) >= gets.total)
  t.true(metricSum(await adminMetrics(router), /\/service\/.*\/retries\/total$/) > 0)
  // Loose, for a loaded machine: 500 ms and a retry, far below the slow endpoint's 10 s.
  const slowest = Math.max(...gets.latenciesMs)
  t.true(slowest < 5000, `slowest answer ${Math.round(slowest)} ms`)
})

/** What the backend behind the second router saw of one request. */
interface Seen {
  readonly at: number
  readonly deadline: string | undefined
  /** When its connection closed before the answer was sent (the router gave up), else undefined. */
  abandonedAt?: number
}

/** A backend recording each request's arrival and `l5d-ctx-deadline`, answering after `delayMs`. */
async function recording(t: ExecutionContext, delayMs: () => number): Promise<[Backend, Seen[]]> {
  const seen: Seen[] = []
  const handler = (req: IncomingMessage, res: ServerResponse): void => {
    const s: Seen = { at: Date.now(), deadline: req.headers['l5d-ctx-deadline'] as string }
    seen.push(s)
    req.resume()
    const timer = setTimeout(() => res.end('ok'), delayMs())
    res.once('close', () => {
      clearTimeout(timer)
      if (!res.writableFinished) s.abandonedAt = Date.now()
    })
  }
  return [await backend(t, 'deep', handler), seen]
}

/** Router A (totalTimeoutMs) → router B → `target`; both real processes. */
async function chain(
  t: ExecutionContext,
  target: Backend,
  totalTimeoutMs: number,
): Promise<{ a: RunningRouter; b: RunningRouter }> {
  const dir = tempDir(t)
  const route = (port: number): string => `/svc/${SERVICE} => /$/inet/127.0.0.1/${port}`
  const b = await startRouter(t, dir, { routers: [{ protocol: 'http', dtab: route(target.port) }] })
  const a = await startRouter(t, dir, {
    routers: [{ protocol: 'http', dtab: route(b.port), service: { totalTimeoutMs } }],
  })
  return { a, b }
}

/** Whether the router gives up `request` (closes its connection) within 2 s. */
async function abandoned(request: Seen | undefined): Promise<boolean> {
  for (let waited = 0; waited < 2000; waited += 20) {
    if (request?.abandonedAt !== undefined) return true
    await sleep(20)
  }
  return false
}

/** `l5d-ctx-deadline: <set at ns> <deadline ns>` → the deadline in epoch ms. */
const deadlineMs = (value: string | undefined): number => Number(value?.split(' ')[1]) / 1e6

test("router A's totalTimeoutMs reaches the backend behind router B as l5d-ctx-deadline", async (t) => {
  const [deep, seen] = await recording(t, () => 0)
  const { a } = await chain(t, deep, 2000)
  const before = Date.now()
  const reply = await send(client(t), a.port, '/', { host: SERVICE })
  const after = Date.now()
  t.is(reply.status, 200, reply.body)
  const [first] = seen
  if (first === undefined) return t.fail()
  // A set it when it began the call, between the request's sending and its answer (one clock:
  // the same machine; the header is in whole ms, rounded up).
  const deadline = deadlineMs(first.deadline)
  t.true(deadline >= before + 2000 && deadline <= after + 2000 + 1, first.deadline)
  t.true(deadline > first.at, 'still ahead when it arrived')
})

test('router B honours the deadline it received: a slow backend is abandoned in time', async (t) => {
  const [deep, seen] = await recording(t, () => 5000)
  const { a, b } = await chain(t, deep, 300)
  const agent = client(t)
  const begun = Date.now()
  const reply = await send(agent, a.port, '/', { host: SERVICE })
  const took = Date.now() - begun
  t.true(reply.status === 503 || reply.status === 504, `${reply.status} ${reply.body}`)
  // Loose, for a loaded machine: far below the backend's 5 s.
  t.true(took < 3000, `answered in ${took} ms`)
  // Router B, asked directly with the deadline A would send, stops at it: 504.
  const soon = Date.now() + 300
  const direct = await send(agent, b.port, '/', {
    host: SERVICE,
    'l5d-ctx-deadline': `${Date.now()}000000 ${soon}000000`,
  })
  t.is(direct.status, 504, direct.body)
  t.regex(direct.body, /deadline/)
  t.true(Date.now() - soon < 3000, 'answered at the deadline, not at the backend')
  t.true(await abandoned(seen.at(-1)), 'its exchange with the backend was aborted')
  // Already past: answered without being sent.
  const count = seen.length
  const past = await send(agent, b.port, '/', {
    host: SERVICE,
    'l5d-ctx-deadline': `${Date.now() - 2000}000000 ${Date.now() - 1000}000000`,
  })
  t.is(past.status, 504, past.body)
  t.is(seen.length, count, 'never sent')
  const metrics = await adminMetrics(b)
  t.true(metricSum(metrics, /\/server\/.*\/failures\/ERR_DEADLINE_EXCEEDED$/) >= 2)
})
