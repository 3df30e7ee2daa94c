/**
 * gRPC load for the end-to-end tests: Unary calls of `test.Echo` sent by a few concurrent
 * workers on one client (one HTTP/2 connection, many streams), counted by the backend that
 * answered and, for failures, by gRPC status (with `l5d-err` when the router sent one).
 */
import { status, type ServiceError } from '@grpc/grpc-js'
import { metaValue, type EchoClient } from './echo-client.js'
import type { EchoRequest } from './echo-service.js'

/** What a run of calls saw. */
export interface Tally {
  total: number
  ok: number
  /** Successful calls by the name of the backend that answered. */
  readonly byBackend: Record<string, number>
  /** Failed calls by `STATUS_NAME: details` (and `l5d-err`, if any). */
  readonly failures: Record<string, number>
}

export function emptyTally(): Tally {
  return { total: 0, ok: 0, byBackend: {}, failures: {} }
}

/** `ok / total` of one backend: its share of the successful calls. */
export function shareOf(t: Tally, backend: string): number {
  return t.ok === 0 ? 0 : (t.byBackend[backend] ?? 0) / t.ok
}

/** A failure's key in a tally: its status name, details and the router's `l5d-err`. */
export function failureKey(e: ServiceError): string {
  const err = e.metadata === undefined ? undefined : metaValue(e.metadata, 'l5d-err')
  const name = status[e.code] ?? String(e.code)
  return `${name}: ${e.details}${err === undefined ? '' : ` (l5d-err: ${err})`}`.slice(0, 300)
}

/** Each call's default deadline: a hang shows as a failure, not as a hung test. */
const DEADLINE_MS = 10_000

/** One Unary call, counted in `t`; never rejects. */
export async function countedCall(
  client: EchoClient,
  t: Tally,
  req: EchoRequest = {},
  deadlineMs = DEADLINE_MS,
): Promise<void> {
  t.total++
  try {
    const { reply } = await client.unary(req, { deadlineMs })
    t.ok++
    t.byBackend[reply.backend] = (t.byBackend[reply.backend] ?? 0) + 1
  } catch (e) {
    const key = failureKey(e as ServiceError)
    t.failures[key] = (t.failures[key] ?? 0) + 1
  }
}

/** `n` Unary calls, at most `concurrency` at once; what they saw. */
export async function runCalls(
  client: EchoClient,
  n: number,
  concurrency: number,
  req: EchoRequest = {},
): Promise<Tally> {
  const t = emptyTally()
  let next = 0
  const worker = async (): Promise<void> => {
    while (next++ < n) await countedCall(client, t, req)
  }
  await Promise.all(Array.from({ length: Math.min(n, concurrency) }, worker))
  return t
}

/** A running load: `tally` grows; `stop()` sends no more and resolves once all calls ended. */
export interface GrpcLoad {
  readonly tally: Tally
  stop(): Promise<Tally>
}

/** Calls with `concurrency` workers, each calling again as soon as its call ended, until stopped. */
export function startLoad(
  client: EchoClient,
  concurrency: number,
  req: EchoRequest = {},
): GrpcLoad {
  const tally = emptyTally()
  let running = true
  const worker = async (): Promise<void> => {
    while (running) await countedCall(client, tally, req)
  }
  const workers = Promise.all(Array.from({ length: concurrency }, worker))
  return {
    tally,
    async stop() {
      running = false
      await workers
      return tally
    },
  }
}
