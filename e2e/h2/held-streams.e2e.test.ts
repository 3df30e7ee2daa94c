// The h2 router under many streams at once, to a node:http2 backend allowing 10,000: clients
// that leave with streams held leave the endpoint alive and no backend stream open; a burst
// at a router with no upstream session yet is not refused for a limit nobody announced; both
// of the router's sessions (to its client, to the backend) open a connection-level window
// wider than node:http2's 64 KiB.
import test from 'ava'
import {
  connect,
  constants,
  createServer,
  type ClientHttp2Session,
  type Http2Server,
  type ServerHttp2Session,
  type ServerHttp2Stream,
} from 'node:http2'
import type { AddressInfo } from 'node:net'
import { eventually } from '../../testing/eventually.js'
import { h2Router } from '../../testing/grpc/router.js'
import { adminMetrics } from '../../testing/router/process.js'

const CLIENT = 'rt/h2/client/#/io.l5d.fs/svc'

/** A backend that holds `/svc/hold` streams open (a head, no end) and answers the rest 200. */
class HoldingBackend {
  readonly open = new Set<ServerHttp2Stream>()
  readonly sessions: ServerHttp2Session[] = []
  answered = 0
  private constructor(
    private readonly server: Http2Server,
    readonly port: number,
  ) {}

  static async start(maxConcurrentStreams = 10_000): Promise<HoldingBackend> {
    // Its own session memory wide enough for every stream (Node's default, 10 MB, is not).
    const server = createServer({ settings: { maxConcurrentStreams }, maxSessionMemory: 1000 })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const b = new HoldingBackend(server, (server.address() as AddressInfo).port)
    server.on('session', (s) => b.sessions.push(s))
    server.on('stream', (stream, headers) => {
      stream.on('error', () => undefined)
      b.open.add(stream)
      stream.once('close', () => b.open.delete(stream))
      // Held as the benchmark holds them: the answer's head sent, its body never.
      if (headers[':path'] === '/svc/hold') return stream.respond({ ':status': 200 })
      b.answered++
      stream.respond({ ':status': 200 })
      stream.end('ok')
    })
    return b
  }

  close(): Promise<void> {
    for (const s of this.sessions) s.destroy()
    return new Promise((resolve) => this.server.close(() => resolve()))
  }
}

/** A client session to the router, destroyed at the test's end. */
function session(port: number, t: { teardown(f: () => void): void }): ClientHttp2Session {
  // Its own session memory wide enough for every stream it holds (Node's default is not).
  const s = connect(`http://127.0.0.1:${port}`, { maxSessionMemory: 1000 })
  s.on('error', () => undefined)
  t.teardown(() => s.destroy())
  return s
}

/** Sends GET `path` on `s`; the answer's status, or the stream's error code. */
function get(s: ClientHttp2Session, path: string): Promise<number | string> {
  return new Promise((resolve) => {
    const stream = s.request({ ':path': path, ':authority': 'svc' })
    stream.on('response', (h) => {
      stream.resume()
      stream.on('end', () => resolve(Number(h[':status'])))
    })
    stream.on('error', (e: Error & { code?: string }) => resolve(e.code ?? e.message))
  })
}

/** Opens `n` held streams on `s`, waiting until the backend holds them all. */
async function hold(s: ClientHttp2Session, n: number, b: HoldingBackend) {
  const streams = Array.from({ length: n }, () => {
    const stream = s.request({ ':path': '/svc/hold', ':authority': 'svc' })
    stream.on('error', () => undefined)
    return stream
  })
  await eventually(`${n} streams at the backend`, () => b.open.size >= n, 30_000)
  return streams
}

async function setup(
  t: import('ava').ExecutionContext,
  maxStreams = 10_000,
  maxWaiters = 1024,
  perConnection = 1000,
) {
  const b = await HoldingBackend.start(maxStreams)
  t.teardown(() => b.close())
  const router = await h2Router(
    t,
    { svc: [b.port] },
    {
      label: 'h2',
      servers: [{ maxConcurrentStreamsPerConnection: perConnection }],
      client: {
        failureAccrual: { kind: 'io.l5d.consecutiveFailures', failures: 5 },
        hostConnectionPool: { maxWaiters },
      },
    },
  )
  return { b, router }
}

test('clients leaving with held streams (reset, or their session gone) leave the endpoint alive and no backend stream open', async (t) => {
  const { b, router } = await setup(t)
  const resetting = session(router.port, t)
  for (const stream of await hold(resetting, 300, b)) stream.close(constants.NGHTTP2_CANCEL)
  await eventually('no backend stream open after the resets', () => b.open.size === 0, 30_000)
  const leaving = session(router.port, t)
  await hold(leaving, 300, b)
  leaving.destroy()
  await eventually('no backend stream open after the client left', () => b.open.size === 0, 30_000)
  t.is(await get(session(router.port, t), '/svc/ok'), 200)
  const m = await adminMetrics(router)
  t.is(m[`${CLIENT}/failure_accrual/removals`], 0)
  t.notRegex(router.output(), /endpoint marked dead/)
})

test("streams refused for the router's own full line (503) leave the endpoint alive", async (t) => {
  // The endpoint takes 2 streams at once and no request may wait for one.
  const { b, router } = await setup(t, 2, 0)
  const c = session(router.port, t)
  const held = await hold(c, 2, b)
  const refused = await Promise.all(Array.from({ length: 10 }, () => get(c, '/svc/ok')))
  t.deepEqual(refused, Array<number>(10).fill(503))
  for (const stream of held) stream.close(constants.NGHTTP2_CANCEL)
  await eventually('no backend stream open after the resets', () => b.open.size === 0, 30_000)
  t.is(await get(c, '/svc/ok'), 200)
  const m = await adminMetrics(router)
  t.is(m[`${CLIENT}/failure_accrual/removals`], 0)
  t.notRegex(router.output(), /endpoint marked dead/)
})

test('a burst of 3,000 streams at a cold router, to an endpoint allowing 10,000: none refused', async (t) => {
  const { b, router } = await setup(t)
  // Four client sessions: the router's server allows 1,000 streams on each.
  const clients = Array.from({ length: 4 }, () => session(router.port, t))
  await Promise.all(clients.map((c) => new Promise((r) => c.once('remoteSettings', r))))
  const answers = await Promise.all(
    Array.from({ length: 3000 }, (_, i) => get(clients[i % 4] as ClientHttp2Session, '/svc/ok')),
  )
  const refused = answers.filter((a) => a !== 200)
  t.is(refused.length, 0, `${refused.length} not 200, e.g. ${String(refused[0])}`)
  t.is(b.answered, 3000)
  t.notRegex(router.output(), /endpoint marked dead/)
})

test('12,000 streams held open at once on one client connection and one upstream session: none refused', async (t) => {
  // Node's default session memory (10 MB) refused streams beyond about 9,900 open ones on the
  // router's session to the endpoint, and would on its client's (RST_STREAM ENHANCE_YOUR_CALM).
  const { b, router } = await setup(t, 20_000, 1024, 20_000)
  const c = session(router.port, t)
  const heads = Array.from({ length: 12_000 }, () => {
    const s = c.request({ ':path': '/svc/hold', ':authority': 'svc' })
    s.on('error', () => undefined)
    return new Promise((resolve) => {
      s.once('response', (h) => resolve(h[':status']))
      s.once('close', () => resolve(`closed ${s.rstCode}`))
    })
  })
  const other = (await Promise.all(heads)).filter((h) => h !== 200)
  t.is(other.length, 0, `${other.length} without a head, e.g. ${String(other[0])}`)
  t.is(b.open.size, 12_000)
  t.is(b.sessions.length, 1)
  t.notRegex(router.output(), /endpoint marked dead/)
})

test("the router's sessions, to its client and to the endpoint, open a 16 MiB connection window", async (t) => {
  const { b, router } = await setup(t)
  const c = session(router.port, t)
  t.is(await get(c, '/svc/ok'), 200)
  const MiB = 1024 * 1024
  // What each side may send: the peer's connection-level receive window as it announced it
  // (less what was sent since: the backend's answer, 2 bytes).
  const wide = (size: number | undefined) => size !== undefined && size > 16 * MiB - 1024
  await eventually('the window update at the client', () => wide(c.state.remoteWindowSize))
  const upstream = b.sessions[0] as ServerHttp2Session
  await eventually('the window update at the backend', () => wide(upstream.state.remoteWindowSize))
  t.true(wide(c.state.remoteWindowSize), String(c.state.remoteWindowSize))
  t.true(wide(upstream.state.remoteWindowSize), String(upstream.state.remoteWindowSize))
})
