/**
 * The HTTP/2 server's hygiene toward its clients, with real `node:http2` clients and raw
 * sockets: graceful close, idle sessions, stalled requests, reset floods, protocol garbage and
 * oversized header lists. The upstreams are scripted in memory (testing/router/h2.ts).
 */
import test from 'ava'
import { constants } from 'node:http2'
import { connect as tcpConnect } from 'node:net'
import { eventually } from '../../testing/eventually.js'
import { answerOf, exchange, h2Client, h2Router, type Dispatched } from '../../testing/router/h2.js'

const until = (f: () => boolean): Promise<boolean> =>
  eventually('a condition', f, 5000).then(
    () => true,
    () => false,
  )
const ok = (d: Dispatched): void => {
  d.handler.onHeaders(200, [], () => undefined)
  d.handler.onData(Buffer.from('ok'))
  d.handler.onComplete()
}

test('close: GOAWAY to the session, the stream in flight finishes, then close resolves', async (t) => {
  let finish: (() => void) | undefined
  const r = await h2Router(t, (d) => {
    if (d.request.path === '/slow') finish = () => ok(d)
    else ok(d)
  })
  const c = h2Client(t, r.url)
  const goaway = new Promise((resolve) => c.once('goaway', resolve))
  const slow = answerOf(c.request({ ':authority': 'users', ':path': '/slow' }, { endStream: true }))
  t.true(await until(() => finish !== undefined))
  let closed = false
  const closing = r.close(5000).then(() => (closed = true))
  await goaway
  t.false(closed, 'the server waits for the stream in flight')
  finish?.()
  const a = await slow
  t.is(a.status, 200)
  t.is(a.body.toString(), 'ok')
  await closing
  t.true(closed)
})

test('close: a stream still in flight after graceMs is cut, and close resolves', async (t) => {
  const r = await h2Router(t, () => undefined)
  const c = h2Client(t, r.url)
  const hung = answerOf(c.request({ ':authority': 'users', ':path': '/' }, { endStream: true }))
  t.true(await until(() => r.dispatched.length === 1))
  await r.close(100)
  await hung
  t.true(await until(() => r.dispatched[0]?.aborted !== undefined), 'its call is aborted')
})

test('an idle session is closed after idleTimeoutMs', async (t) => {
  const r = await h2Router(t, ok, { idleTimeoutMs: 300 })
  const c = h2Client(t, r.url)
  t.is((await exchange(c, { ':path': '/' })).status, 200)
  const closed = new Promise((resolve) => c.once('close', resolve))
  await closed
  t.true(await until(() => r.server.connections === 0))
})

test('a session with a stream in flight is not idle, however long the stream', async (t) => {
  const r = await h2Router(t, (d) => setTimeout(() => ok(d), 1000), { idleTimeoutMs: 300 })
  const a = await exchange(h2Client(t, r.url), { ':path': '/slow' })
  t.is(a.status, 200)
  t.is(a.body.toString(), 'ok')
})

test('a request that stalls past receiveTimeoutMs before its answer gets 408 and its call is aborted', async (t) => {
  const r = await h2Router(t, () => undefined, { receiveTimeoutMs: 200 })
  const c = h2Client(t, r.url)
  const s = c.request({ ':authority': 'users', ':method': 'POST', ':path': '/upload' })
  s.write('part of a body that never ends')
  const a = await answerOf(s)
  t.is(a.status, 408)
  t.regex(String(a.headers['l5d-err']), /receiveTimeoutMs/)
  t.true(await until(() => r.dispatched[0]?.aborted !== undefined))
  t.is(r.server.counter('stream/receive_timeouts').value, 1)
})

test('a client resetting streams in a loop gets its session ended (ENHANCE_YOUR_CALM), counted', async (t) => {
  const r = await h2Router(t, (d) => (d.request.path === '/fine' ? ok(d) : undefined), {
    maxResetsPerSecond: 20,
  })
  const c = h2Client(t, r.url, { peerMaxConcurrentStreams: 1000 })
  const goaway = new Promise<number>((resolve) => c.once('goaway', resolve))
  const closed = new Promise((resolve) => c.once('close', resolve))
  await new Promise((resolve) => c.once('connect', resolve))
  const tries = 2000
  for (let i = 0; i < tries && !c.destroyed && !c.closed; i++) {
    const s = c.request({ ':authority': 'users', ':path': `/${i}` }, { endStream: true })
    s.on('error', () => undefined)
    if (s.pending) await new Promise((resolve) => s.once('ready', resolve))
    await new Promise((resolve) => setImmediate(resolve))
    s.close(constants.NGHTTP2_CANCEL)
  }
  t.is(await goaway, constants.NGHTTP2_ENHANCE_YOUR_CALM)
  await closed
  t.is(r.server.counter('session/reset_floods').value, 1)
  t.true(r.dispatched.length < tries, `${r.dispatched.length} calls routed`)
  t.true(await until(() => r.server.pending === 0 && r.server.connections === 0))
  // The server still serves others.
  t.is((await exchange(h2Client(t, r.url), { ':path': '/fine' })).status, 200)
})

test('protocol garbage ends that session only, counted; the server keeps serving', async (t) => {
  const r = await h2Router(t, ok)
  const socket = tcpConnect(r.port, '127.0.0.1')
  socket.on('error', () => undefined)
  socket.resume()
  socket.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n')
  await new Promise((resolve) => socket.once('close', resolve))
  t.true(await until(() => r.server.connections === 0))
  t.is(r.server.counter('session/errors').value, 1)
  t.is((await exchange(h2Client(t, r.url), { ':path': '/' })).status, 200)
})

test('the server advertises its h2 settings; a client keeps to maxConcurrentStreamsPerConnection', async (t) => {
  let inFlight = 0
  let most = 0
  const r = await h2Router(
    t,
    (d) => {
      most = Math.max(most, ++inFlight)
      setTimeout(() => (inFlight--, ok(d)), 100)
    },
    { h2: { maxConcurrentStreamsPerConnection: 2, initialStreamWindowBytes: 1 << 20 } },
  )
  const c = h2Client(t, r.url)
  await new Promise((resolve) => c.once('remoteSettings', resolve))
  t.is(c.remoteSettings.maxConcurrentStreams, 2)
  t.is(c.remoteSettings.initialWindowSize, 1 << 20)
  t.is(c.remoteSettings.maxHeaderListSize, 16_384)
  const answers = await Promise.all([1, 2, 3, 4].map(() => exchange(c, { ':path': '/' })))
  t.deepEqual(
    answers.map((a) => a.status),
    [200, 200, 200, 200],
  )
  t.is(most, 2)
})

test('a header list over maxHeaderListBytes is refused, never routed', async (t) => {
  const r = await h2Router(t, ok, { h2: { maxHeaderListBytes: 4096 } })
  const c = h2Client(t, r.url)
  const big = await exchange(c, { ':path': '/', 'x-big': 'x'.repeat(8192) })
  t.is(big.status, 431)
  t.regex(String(big.headers['l5d-err']), /maxHeaderListBytes/)
  const fields = Object.fromEntries(Array.from({ length: 200 }, (_, i) => [`x-${i}`, '1']))
  const many = await exchange(c, { ':path': '/', ...fields })
  t.not(many.status, 200, 'more fields than fit in the bound: refused by Node (RST_STREAM)')
  t.is(r.dispatched.length, 0)
  t.is(r.dispatched.length, 0)
  t.is((await exchange(h2Client(t, r.url), { ':path': '/' })).status, 200)
})
