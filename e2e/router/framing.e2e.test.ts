/**
 * The real router and bad request framing, in raw bytes: every framing error ends the request
 * both ways at once (the client gets one response and its connection closes; the backend's
 * connection is closed, never reused), and the server's timeouts come from its config keys.
 */
import test, { type ExecutionContext } from 'ava'
import {
  BAD_CHUNKS,
  chunkedHead,
  nextUsesFreshConnection,
  parseResponses,
  rawBackend,
  rawClient,
} from '../../testing/router/raw-http.js'
import { eventually } from '../../testing/eventually.js'
import { startRouter, tempDir } from '../../testing/router/process.js'

/** A router whose `/svc/<port>` is 127.0.0.1:<port>: each case's backend is its own Host. */
async function router(t: ExecutionContext, server: Record<string, unknown> = {}): Promise<number> {
  const r = await startRouter(t, tempDir(t), {
    routers: [{ protocol: 'http', dtab: '/svc => /$/inet/127.0.0.1', servers: [server] }],
  })
  return r.port
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))
/** Resolves when `p` does, or rejects after `ms`: a loose bound that catches a hang. */
const within = <T>(p: Promise<T>, ms: number): Promise<T> =>
  Promise.race([p, sleep(ms).then(() => Promise.reject(new Error(`not within ${ms} ms`)))])

test('a bad chunk after the head went upstream: 400 and close within 2 s, the backend request aborted', async (t) => {
  const port = await router(t)
  for (const [name, bad] of Object.entries(BAD_CHUNKS)) {
    const { port: backendPort, conns } = await rawBackend(t)
    const host = String(backendPort)
    const c = await rawClient(t, port)
    c.socket.write(`${chunkedHead(host)}5\r\nhello\r\n`)
    await eventually(`${name}: the head upstream`, () => conns[0]?.data.includes('hello') === true)
    c.socket.write(bad)
    await within(c.closed, 2000)
    const responses = parseResponses(c.text())
    t.is(responses.length, 1, `${name}: ${c.text()}`)
    t.like(responses[0], { status: 400, headers: { connection: 'close' } }, name)
    t.regex(responses[0]?.headers['l5d-err'] ?? '', /^malformed\+request/, name)
    await eventually(`${name}: the backend socket closed`, () => conns[0]?.closed === true, 2000)
    await nextUsesFreshConnection(t, port, conns, host)
  }
})

test('a Transfer-Encoding other than chunked alone: 501 within 2 s, nothing sent upstream', async (t) => {
  const port = await router(t)
  for (const coding of ['identity', 'xchunked', 'gzip, chunked']) {
    const { port: backendPort, conns } = await rawBackend(t)
    const host = String(backendPort)
    const c = await rawClient(t, port)
    c.socket.write(
      `POST / HTTP/1.1\r\nHost: ${host}\r\nTransfer-Encoding: ${coding}\r\n\r\n3\r\nabc\r\n0\r\n\r\n`,
    )
    await within(c.closed, 2000)
    const responses = parseResponses(c.text())
    t.is(responses.length, 1, `${coding}: ${c.text()}`)
    t.like(responses[0], { status: 501, headers: { connection: 'close' } }, coding)
    t.is(conns.length, 0, coding)
    await nextUsesFreshConnection(t, port, conns, host)
  }
})

test('a backend that answers before reading the body, then a bad chunk: the 200 is the one response', async (t) => {
  const port = await router(t)
  const { port: backendPort, conns } = await rawBackend(t, true)
  const host = String(backendPort)
  const c = await rawClient(t, port)
  c.socket.write(`${chunkedHead(host)}5\r\nhello\r\n`)
  await c.until((s) => parseResponses(s).length === 1)
  c.socket.write('-3\r\nabc\r\n')
  await within(c.closed, 2000)
  t.deepEqual(
    parseResponses(c.text()).map((r) => `${r.status} ${r.body}`),
    ['200 ok'],
  )
  await eventually('the backend socket closed', () => conns[0]?.closed === true, 2000)
  await nextUsesFreshConnection(t, port, conns, host)
})

test('the server timeouts come from the config: headTimeoutMs, receiveTimeoutMs, idleTimeoutMs', async (t) => {
  const port = await router(t, { headTimeoutMs: 300, receiveTimeoutMs: 600, idleTimeoutMs: 2000 })
  const { port: backendPort } = await rawBackend(t)
  const host = String(backendPort)
  const head = await rawClient(t, port)
  head.socket.write(`GET / HTTP/1.1\r\nHost: ${host}\r\n`)
  const body = await rawClient(t, port)
  body.socket.write(`POST / HTTP/1.1\r\nHost: ${host}\r\nContent-Length: 10\r\n\r\nabc`)
  const idle = await rawClient(t, port)
  idle.socket.write(`GET / HTTP/1.1\r\nHost: ${host}\r\n\r\n`)
  await within(head.closed, 5000)
  t.is(parseResponses(head.text())[0]?.status, 408)
  t.regex(parseResponses(head.text())[0]?.body ?? '', /headTimeoutMs/)
  await within(body.closed, 5000)
  t.regex(parseResponses(body.text())[0]?.body ?? '', /receiveTimeoutMs/)
  t.is(parseResponses(body.text())[0]?.status, 408)
  const [answer] = parseResponses(await idle.until((s) => parseResponses(s).length === 1))
  t.is(answer?.headers['keep-alive'], 'timeout=2')
  await within(idle.closed, 5000)
})
