/**
 * Bad request framing, from raw bytes on a real socket through the HTTP/1.1 server and a real
 * upstream pool to a real backend socket: whatever the client sent of its request, the
 * framing error ends it both ways at once and the client gets exactly one response.
 */
import test, { type ExecutionContext } from 'ava'
import type { AddressInfo } from 'node:net'
import { Downstream } from './downstream.js'
import { H1Pool } from './pool.js'
import { H1Server } from './server.js'
import {
  BAD_CHUNKS,
  chunkedHead,
  nextUsesFreshConnection,
  parseResponses,
  rawBackend as backend,
  rawClient,
} from '../../testing/router/raw-http.js'
import { eventually } from '../../testing/eventually.js'

/** The router's HTTP/1.1 server forwarding every request to `port` as the router does. */
async function proxy(t: ExecutionContext, port: number): Promise<number> {
  const pool = new H1Pool('127.0.0.1', port)
  const h1 = new H1Server({ maxHeaderBytes: 16_384 }, (req, res) => {
    const headers: string[] = []
    for (let i = 0; i < req.rawHeaders.length; i += 2) {
      const name = req.rawHeaders[i] as string
      if (name.toLowerCase() !== 'transfer-encoding')
        headers.push(name, req.rawHeaders[i + 1] as string)
    }
    const hasBody =
      req.headers['transfer-encoding'] !== undefined || req.headers['content-length'] !== undefined
    const request = { method: req.method, path: req.url, headers, body: hasBody ? req.body : null }
    pool.dispatch(request, new Downstream(req, res))
  })
  await new Promise<void>((r) => h1.server.listen(0, '127.0.0.1', r))
  t.teardown(() => (h1.drain(), h1.destroyAll(), void pool.close()))
  return (h1.server.address() as AddressInfo).port
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))
/** Resolves when `p` does, or rejects after `ms`: a loose bound that catches a hang. */
const within = <T>(p: Promise<T>, ms: number): Promise<T> =>
  Promise.race([p, sleep(ms).then(() => Promise.reject(new Error(`not within ${ms} ms`)))])

for (const [name, bad] of Object.entries(BAD_CHUNKS)) {
  test(`chunk ${name}: 400 and close at once, the upstream request aborted`, async (t) => {
    const { port: backendPort, conns } = await backend(t)
    const port = await proxy(t, backendPort)
    const c = await rawClient(t, port)
    c.socket.write(`${chunkedHead()}5\r\nhello\r\n`)
    await eventually('the head upstream', () => conns[0]?.data.includes('hello') === true, 5000)
    c.socket.write(bad)
    await within(c.closed, 2000)
    const responses = parseResponses(c.text())
    t.is(responses.length, 1, c.text())
    t.like(responses[0], { status: 400, headers: { connection: 'close' } })
    t.regex(responses[0]?.body ?? '', /^malformed request \(HPE_/)
    await eventually('the backend socket closed', () => conns[0]?.closed === true, 2000)
    t.pass()
    await nextUsesFreshConnection(t, port, conns)
  })
}

for (const coding of ['identity', 'xchunked', 'gzip, chunked', 'chunked, chunked']) {
  test(`Transfer-Encoding "${coding}" is refused with 501 (400 from the parser) and never sent upstream`, async (t) => {
    const { port: backendPort, conns } = await backend(t)
    const port = await proxy(t, backendPort)
    const c = await rawClient(t, port)
    c.socket.write(
      `POST / HTTP/1.1\r\nHost: web\r\nTransfer-Encoding: ${coding}\r\n\r\n3\r\nabc\r\n0\r\n\r\n`,
    )
    await within(c.closed, 2000)
    const responses = parseResponses(c.text())
    t.is(responses.length, 1, c.text())
    // llhttp itself refuses a repeated chunked before the head is complete.
    t.like(responses[0], { status: coding === 'chunked, chunked' ? 400 : 501 })
    t.is(conns.length, 0)
    await nextUsesFreshConnection(t, port, conns)
  })
}

test('a backend that answers before reading the body: its 200 is the only response', async (t) => {
  const { port: backendPort, conns } = await backend(t, true)
  const port = await proxy(t, backendPort)
  const c = await rawClient(t, port)
  c.socket.write(`${chunkedHead()}5\r\nhello\r\n`)
  await c.until((s) => parseResponses(s).length === 1)
  c.socket.write('zz\r\n')
  await within(c.closed, 2000)
  t.deepEqual(
    parseResponses(c.text()).map((r) => `${r.status} ${r.body}`),
    ['200 ok'],
  )
  await eventually('the backend socket closed', () => conns[0]?.closed === true, 2000)
  t.pass()
  await nextUsesFreshConnection(t, port, conns)
})

test('a bad chunk in a request pipelined behind a good one: the good one is answered, then 400', async (t) => {
  const { port: backendPort, conns } = await backend(t)
  const port = await proxy(t, backendPort)
  const c = await rawClient(t, port)
  c.socket.write(`GET /first HTTP/1.1\r\nHost: web\r\n\r\n${chunkedHead()}5\r\nhello\r\n-1\r\n`)
  await within(c.closed, 2000)
  t.deepEqual(
    parseResponses(c.text()).map((r) => r.status),
    [200, 400],
  )
  t.true(
    conns.every((b) => !b.data.includes('/upload')),
    'the bad request never went upstream',
  )
})
