/**
 * Hostile endpoints, clients and configs against a whole h2 router (startRouters with a parsed
 * config, real node:http2 endpoints and clients on loopback): what each must not do to the
 * router (lose request bytes, hang a stream, crash).
 */
import test, { type ExecutionContext } from 'ava'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import {
  connect,
  constants,
  createServer,
  type ClientHttp2Session,
  type ServerHttp2Stream,
} from 'node:http2'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { nullLog } from '../../lib/log.js'
import { answerOf, type Answer } from '../../testing/router/h2.js'
import { parseConfig } from '../config/index.js'
import { MetricsRegistry } from '../metrics/index.js'
import { startRouters } from '../start.js'

/** An h2c endpoint on loopback calling `onStream`; its port. */
async function endpoint(
  t: ExecutionContext,
  onStream: (stream: ServerHttp2Stream) => void,
): Promise<number> {
  const server = createServer()
  server.on('session', (s) => s.on('error', () => undefined))
  server.on('stream', (stream) => {
    stream.on('error', () => undefined)
    onStream(stream)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => void server.close())
  return (server.address() as AddressInfo).port
}

/** An h2c endpoint announcing SETTINGS_MAX_CONCURRENT_STREAMS 0 (it takes no stream); its port. */
async function closedEndpoint(t: ExecutionContext): Promise<number> {
  const server = createServer({ settings: { maxConcurrentStreams: 0 } })
  server.on('session', (s) => s.on('error', () => undefined))
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => void server.close())
  return (server.address() as AddressInfo).port
}

/** Starts an h2 router whose service `users` is the endpoints at `ports`; a client session. */
async function h2RouterTo(
  t: ExecutionContext,
  ports: readonly number[],
  router: Record<string, unknown> = {},
): Promise<ClientHttp2Session> {
  const dir = mkdtempSync(join(tmpdir(), 'h2-attack-'))
  writeFileSync(join(dir, 'users'), ports.map((p) => `127.0.0.1 ${p}\n`).join(''))
  const config = parseConfig({
    admin: { port: 0 },
    namers: [{ kind: 'io.l5d.fs', rootDir: dir }],
    routers: [{ protocol: 'h2', dtab: '/svc => /#/io.l5d.fs', servers: [{ port: 0 }], ...router }],
  })
  const metrics = new MetricsRegistry({ defaultMetrics: false, snapshotIntervalMs: 0 })
  const running = await startRouters(config, nullLog, metrics)
  const port = running.servers[0]?.address.port as number
  const session = connect(`http://127.0.0.1:${port}`)
  session.on('error', () => undefined)
  t.teardown(async () => {
    session.destroy()
    await running.close(0)
    rmSync(dir, { recursive: true, force: true })
  })
  return session
}

/** Answers 200 with the whole request body it read. */
function echoBody(stream: ServerHttp2Stream): void {
  const chunks: Buffer[] = []
  stream.on('data', (c: Buffer) => chunks.push(c))
  stream.on('end', () => {
    if (stream.closed) return
    stream.respond({ ':status': 200 })
    stream.end(Buffer.concat(chunks))
  })
}

/** `answer`, or 'no answer' past `ms` (a hang). */
function within(ms: number, answer: Promise<Answer>): Promise<Answer | 'no answer'> {
  return Promise.race([
    answer,
    new Promise<'no answer'>((resolve) => setTimeout(() => resolve('no answer'), ms).unref()),
  ])
}

test('a request refused (REFUSED_STREAM) after part of its body went out never reaches an endpoint cut', async (t) => {
  // The first stream anywhere is refused once its first DATA frame arrived (RFC 9113 8.7: the
  // endpoint did no work on it, so it may be sent again, whole), every later one echoed.
  let streams = 0
  const bodies: string[] = []
  const onStream = (stream: ServerHttp2Stream): void => {
    if (streams++ === 0) {
      stream.once('data', () => stream.close(constants.NGHTTP2_REFUSED_STREAM))
      return
    }
    const chunks: Buffer[] = []
    stream.on('data', (c: Buffer) => chunks.push(c))
    stream.on('end', () => bodies.push(Buffer.concat(chunks).toString()))
    echoBody(stream)
  }
  const ports = [await endpoint(t, onStream), await endpoint(t, onStream)]
  const session = await h2RouterTo(t, ports)
  const stream = session.request({ ':authority': 'users', ':path': '/', ':method': 'POST' })
  stream.write('first part;')
  setTimeout(() => stream.end('second part'), 300)
  const answer = await within(10_000, answerOf(stream))
  if (answer === 'no answer') return t.fail('the request hung')
  // Sent again, it must be whole; else the client is told it may send it again itself.
  t.true(
    bodies.every((b) => b === 'first part;second part'),
    JSON.stringify(bodies),
  )
  if (bodies.length === 0) t.is(answer.rstCode, constants.NGHTTP2_REFUSED_STREAM)
  else t.is(answer.body.toString(), 'first part;second part')
})

test('a client initialStreamWindowBytes of 0 is a config error naming the key', (t) => {
  const parse = (): unknown =>
    parseConfig({
      routers: [
        {
          protocol: 'h2',
          dtab: '/svc => /$/inet/127.0.0.1/1',
          servers: [{ port: 0 }],
          client: { initialStreamWindowBytes: 0 },
        },
      ],
    })
  // Accepted, it makes every answer with a body hang: the endpoint may never send DATA.
  const err = t.throws(parse)
  t.regex(err?.message ?? '', /client\.initialStreamWindowBytes/)
})

test('a server maxHeaderListBytes too small for any request is a config error naming the key', (t) => {
  const parse = (): unknown =>
    parseConfig({
      routers: [
        {
          protocol: 'h2',
          dtab: '/svc => /$/inet/127.0.0.1/1',
          servers: [{ port: 0, maxHeaderListBytes: 0 }],
        },
      ],
    })
  // Accepted, every request is answered 431: its pseudo-header fields alone count 128 bytes.
  const err = t.throws(parse)
  t.regex(err?.message ?? '', /servers\[0\]\.maxHeaderListBytes/)
})

test('a rapid-reset burst stops at the reset-flood guard, not at the endpoint', async (t) => {
  // Opened and reset at once (CVE-2023-44487), in one burst: every stream the router routes
  // before it notices the flood is opened (and reset) at the endpoint too.
  let streams = 0
  const port = await endpoint(t, (stream) => {
    if (streams++ === 0) echoBody(stream)
  })
  const session = await h2RouterTo(t, [port])
  const warm = session.request({ ':authority': 'users', ':path': '/' })
  warm.end()
  t.is((await answerOf(warm)).status, 200, 'bound and warm')
  const goaway = new Promise<number>((resolve) => session.once('goaway', resolve))
  for (let i = 0; i < 1000 && !session.closed && !session.destroyed; i++) {
    const stream = session.request({ ':authority': 'users', ':path': '/' })
    stream.on('error', () => undefined)
    stream.close(constants.NGHTTP2_CANCEL)
  }
  t.is(await goaway, constants.NGHTTP2_ENHANCE_YOUR_CALM, 'the flood is noticed')
  await new Promise((resolve) => setTimeout(resolve, 500))
  // maxResetsPerSecond is 200: twice that reaching the endpoint is already a leak of the guard.
  t.true(streams <= 400, `${streams - 1} reset streams reached the endpoint`)
})

test('a client stream still sending is not cut by receiveTimeoutMs (a long gRPC upload)', async (t) => {
  // A client-streaming call: the endpoint answers at the request's end, as gRPC servers do. The
  // client sends a message every 100 ms, for longer than receiveTimeoutMs: it is not stalled.
  const port = await endpoint(t, echoBody)
  const session = await h2RouterTo(t, [port], { servers: [{ port: 0, receiveTimeoutMs: 1000 }] })
  const stream = session.request({ ':authority': 'users', ':path': '/', ':method': 'POST' })
  const answer = answerOf(stream)
  const sent: string[] = []
  for (let i = 0; i < 25 && !stream.closed; i++) {
    sent.push(`m${i};`)
    stream.write(`m${i};`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  stream.end()
  const got = await answer
  t.is(got.status, 200, String(got.headers['l5d-err']))
  t.is(got.body.toString(), sent.join(''))
})

/** The answer to a POST through the router to `port` whose body never ends; fails on a hang. */
async function answerToEndlessRequest(
  t: ExecutionContext,
  port: number,
): Promise<Answer | undefined> {
  const session = await h2RouterTo(t, [port])
  const stream = session.request({ ':authority': 'users', ':path': '/', ':method': 'POST' })
  stream.write('a request body that never ends')
  const answer = await within(5000, answerOf(stream))
  if (answer !== 'no answer') return answer
  stream.close()
  t.fail("the client's stream is still open 5 s after its answer ended")
  return undefined
}

test("an answer complete before the request's end closes the client's stream", async (t) => {
  // The endpoint answers at once and resets its side (RFC 9113 8.1: NO_ERROR, stop sending).
  // The client gets the whole answer; its stream must close too, as a node:http2 server closes
  // it, else it stays open for ever: a stream slot (maxConcurrentStreams) held, the session never
  // idle, the client's body paused unread.
  const port = await endpoint(t, (stream) => {
    stream.respond({ ':status': 200 })
    stream.end('early answer')
  })
  const answer = await answerToEndlessRequest(t, port)
  if (answer === undefined) return
  t.is(answer.status, 200)
  t.is(answer.body.toString(), 'early answer')
})

test("an answer with trailers complete before the request's end keeps its trailers", async (t) => {
  // As a gRPC server failing a client-streaming call at once: its status is in the trailers,
  // which must reach the client before its stream is closed (NO_ERROR).
  const port = await endpoint(t, (stream) => {
    stream.respond(
      { ':status': 200, 'content-type': 'application/grpc' },
      { waitForTrailers: true },
    )
    stream.on('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '9' }))
    stream.end('early')
  })
  const answer = await answerToEndlessRequest(t, port)
  if (answer === undefined) return
  t.is(answer.body.toString(), 'early')
  t.is(answer.trailers?.['grpc-status'], '9')
  t.is(answer.rstCode, constants.NGHTTP2_NO_ERROR)
})

test('requeues of a streamed request leave no listeners behind on its body', async (t) => {
  // Both endpoints refuse every stream at its HEADERS, before any of its body came: the request
  // is requeued up to 25 times, each attempt piping the same body.
  const warnings: string[] = []
  const onWarning = (w: Error): number => warnings.push(`${w.name}: ${w.message}`)
  process.on('warning', onWarning)
  t.teardown(() => void process.off('warning', onWarning))
  let streams = 0
  const refuse = (stream: ServerHttp2Stream): void => {
    streams++
    stream.close(constants.NGHTTP2_REFUSED_STREAM)
  }
  const session = await h2RouterTo(t, [await endpoint(t, refuse), await endpoint(t, refuse)])
  const stream = session.request({ ':authority': 'users', ':path': '/', ':method': 'POST' })
  // Its body is still to come (none of it read, so each attempt may have it whole).
  const answer = await within(10_000, answerOf(stream))
  stream.close()
  if (answer === 'no answer') return t.fail('the request hung')
  t.true(streams > 11, `requeued ${streams - 1} times`)
  await new Promise((resolve) => setImmediate(resolve))
  t.deepEqual(warnings, [])
})

test('an endpoint allowing 0 concurrent streams fails calls, never keeps them waiting', async (t) => {
  const session = await h2RouterTo(t, [await closedEndpoint(t)])
  const answers: (Answer | 'no answer')[] = []
  for (let i = 0; i < 3; i++) {
    const stream = session.request({ ':authority': 'users', ':path': '/' })
    stream.end()
    answers.push(await within(5000, answerOf(stream)))
    if (answers.at(-1) === 'no answer') stream.close()
  }
  // The first call fails (refused before the endpoint's SETTINGS came); later ones wait in the
  // session's line for a stream that will never be allowed.
  t.false(
    answers.includes('no answer'),
    JSON.stringify(answers.map((a) => (a === 'no answer' ? a : a.status || `rst ${a.rstCode}`))),
  )
})

test('a call waiting in line for a stream fails once responseTimeoutMs has passed', async (t) => {
  // The endpoint takes one stream at a time and the first never ends (its head came: it is
  // never cut for silence); the second waits in the session's line, not for ever.
  const server = createServer({ settings: { maxConcurrentStreams: 1 } })
  server.on('session', (s) => s.on('error', () => undefined))
  server.on('stream', (stream) => {
    stream.on('error', () => undefined)
    stream.respond({ ':status': 200 })
    stream.write('a stream that never ends')
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => void server.close())
  const port = (server.address() as AddressInfo).port
  const session = await h2RouterTo(t, [port], { client: { responseTimeoutMs: 300 } })
  const first = session.request({ ':authority': 'users', ':path': '/' })
  first.end()
  await new Promise((resolve) => first.once('response', resolve))
  const second = session.request({ ':authority': 'users', ':path': '/' })
  second.end()
  const answer = await within(5000, answerOf(second))
  first.close()
  if (answer === 'no answer') return t.fail('the second call still waits in line after 5 s')
  t.is(answer.status, 504)
  t.regex(String(answer.headers['l5d-err']), /responseTimeoutMs/)
})

test('a gRPC call the server refuses itself (header list too large) gets a gRPC status', async (t) => {
  // The router's own refusals (431, 408, 403) answer gRPC calls in plain HTTP: a gRPC client
  // maps HTTP 431 to UNKNOWN (no grpc-status), unlike the answer step's trailers-only answers.
  const port = await endpoint(t, echoBody)
  const session = await h2RouterTo(t, [port])
  const stream = session.request({
    ':authority': 'users',
    ':path': '/pkg.Svc/Get',
    ':method': 'POST',
    'content-type': 'application/grpc',
    'x-big': 'a'.repeat(20_000),
  })
  stream.end()
  const answer = await answerOf(stream)
  t.is(answer.status, 200, `HTTP ${answer.status}`)
  t.truthy(answer.headers['grpc-status'], 'a grpc-status')
  t.truthy(answer.headers['l5d-err'], 'l5d-err says why')
})
