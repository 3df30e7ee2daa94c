/**
 * Bad request framing, from raw bytes on a real socket through the HTTP/1.1 server and a real
 * upstream pool to a real backend socket: whatever the client sent of its request, the
 * framing error ends it both ways at once and the client gets exactly one response.
 */
import test, { type ExecutionContext } from 'ava'
import { createServer, type AddressInfo } from 'node:net'
import { Downstream } from './downstream.js'
import { H1Pool } from './pool.js'
import { H1Server } from './server.js'
import { parseResponses, rawClient } from '../../testing/router/raw-http.js'
import { eventually } from '../../testing/eventually.js'

/** What a backend connection received, and whether it is closed. */
interface BackendConn {
  data: string
  closed: boolean
}

/**
 * A backend on a raw socket that answers `200 ok` (keep-alive) to each request head: GETs at
 * once, POSTs at once too when `early` (without reading their body), else never.
 */
async function backend(
  t: ExecutionContext,
  early = false,
): Promise<{ port: number; conns: BackendConn[] }> {
  const conns: BackendConn[] = []
  const server = createServer((s) => {
    const c: BackendConn = { data: '', closed: false }
    conns.push(c)
    let answered = 0
    s.setEncoding('latin1').on('error', () => undefined)
    s.on('data', (d: string) => {
      c.data += d
      const heads = c.data.match(/^(GET|POST) [^\r]*\r\n/gm) ?? []
      for (; answered < heads.length; answered++) {
        if (heads[answered]?.startsWith('POST') === true && !early) continue
        s.write('HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok')
      }
    })
    s.on('close', () => (c.closed = true))
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  t.teardown(() => server.close())
  return { port: (server.address() as AddressInfo).port, conns }
}

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

const CHUNKED_HEAD = 'POST /upload HTTP/1.1\r\nHost: web\r\nTransfer-Encoding: chunked\r\n\r\n'

/** A chunk that is fine, then one of the bad ones: the head is upstream when the error shows. */
const BAD_CHUNKS: Record<string, string> = {
  'size zz': 'zz\r\nabc\r\n',
  'size -3': '-3\r\nabc\r\n',
  'size 0x3': '0x3\r\nabc\r\n',
  'size "3 "': '3 \r\nabc\r\n',
  'size FFFFFFFFFFFFFFFFFF': 'FFFFFFFFFFFFFFFFFF\r\nabc\r\n',
  'no CRLF after chunk data': '3\r\nabcXX',
}

/** The next request goes through on a fresh backend connection: the old one was not reused. */
async function nextUsesFreshConnection(t: ExecutionContext, port: number, conns: BackendConn[]) {
  const before = conns.length
  const next = await rawClient(t, port)
  next.socket.write('GET /next HTTP/1.1\r\nHost: web\r\n\r\n')
  const text = await next.until((s) => parseResponses(s).length === 1)
  t.like(parseResponses(text), [{ status: 200, body: 'ok' }])
  t.is(conns.length, before + 1, 'a new backend connection')
  t.regex(conns[before]?.data ?? '', /^GET \/next /)
}

for (const [name, bad] of Object.entries(BAD_CHUNKS)) {
  test(`chunk ${name}: 400 and close at once, the upstream request aborted`, async (t) => {
    const { port: backendPort, conns } = await backend(t)
    const port = await proxy(t, backendPort)
    const c = await rawClient(t, port)
    c.socket.write(`${CHUNKED_HEAD}5\r\nhello\r\n`)
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
  c.socket.write(`${CHUNKED_HEAD}5\r\nhello\r\n`)
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
  c.socket.write(`GET /first HTTP/1.1\r\nHost: web\r\n\r\n${CHUNKED_HEAD}5\r\nhello\r\n-1\r\n`)
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
