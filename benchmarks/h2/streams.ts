/**
 * The memory a proxy needs for many open streams: a client opens `total` streams over a few
 * h2c connections through the proxy to the backends' `/hold`, which answer the headers and keep
 * the streams open; once every stream has its answer's headers (so it is open end to end), the
 * proxy's RSS is read, then the client goes away and the backends count what is still open.
 */
import { connect, type ClientHttp2Session } from 'node:http2'
import { setTimeout as sleep } from 'node:timers/promises'
import { rssMiB, type Proc } from '../proxy/procs.js'
import { MANY_STREAMS } from './settings.js'
import { heldStreams } from './targets.js'

export interface HeldStreams {
  readonly streams: number
  readonly connections: number
  /** Proxy RSS (MiB) before the streams are opened, and once all are open. */
  readonly rssBefore: number
  readonly rssWith: number
  /** Streams that had their answer's headers within the time allowed. */
  readonly opened: number
  /** Streams the backends held when the proxy's RSS was read. */
  readonly heldAtBackends: number
  /** Streams the backends still held 5 s after the client went away (resets not passed on). */
  readonly heldAfterClose: number
  /** Seconds from the first request until all were open (or the time allowed ran out). */
  readonly openSeconds: number
}

/** Opens `count` streams to `/hold` on `session`; resolves with how many got headers in time. */
function openOn(session: ClientHttp2Session, count: number, deadline: Promise<void>) {
  let answered = 0
  const all = Array.from({ length: count }, () => {
    const stream = session.request({ ':path': '/hold', ':authority': 'bench' })
    stream.on('error', () => {})
    return new Promise<void>((resolve) => {
      stream.once('response', () => resolve(void answered++))
      stream.once('close', resolve)
    })
  })
  return Promise.race([Promise.all(all), deadline]).then(() => answered)
}

const sumHeld = async (backends: readonly Proc[]): Promise<number> =>
  (await Promise.all(backends.map(heldStreams))).reduce((a, b) => a + b, 0)

/** What the backends still hold once none is left, or after `seconds`. */
async function drained(backends: readonly Proc[], seconds: number): Promise<number> {
  const until = performance.now() + seconds * 1000
  let held = await sumHeld(backends)
  while (held > 0 && performance.now() < until) {
    await sleep(250)
    held = await sumHeld(backends)
  }
  return held
}

/** Holds `streams` open through `proxy` over `connections` connections; reads its RSS. */
export async function holdStreams(
  proxy: Proc,
  backends: readonly Proc[],
  streams: number,
  connections: number,
  allowSeconds = 60,
): Promise<HeldStreams> {
  const rssBefore = rssMiB(proxy.child.pid ?? 0)
  const sessions = Array.from({ length: connections }, () =>
    connect(`http://127.0.0.1:${proxy.port}`, MANY_STREAMS).on('error', () => {}),
  )
  const start = performance.now()
  const deadline = sleep(allowSeconds * 1000, undefined, { ref: false })
  const per = Math.ceil(streams / connections)
  const counts = await Promise.all(sessions.map((s) => openOn(s, per, deadline)))
  const openSeconds = (performance.now() - start) / 1000
  const heldAtBackends = await sumHeld(backends)
  const rssWith = rssMiB(proxy.child.pid ?? 0)
  for (const s of sessions) s.destroy()
  const heldAfterClose = await drained(backends, 5)
  const opened = counts.reduce((a, b) => a + b, 0)
  const result = { streams: per * connections, connections, rssBefore, rssWith, opened }
  return { ...result, heldAtBackends, heldAfterClose, openSeconds }
}
