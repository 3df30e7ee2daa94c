import test, { type ExecutionContext } from 'ava'
import { createHash, randomBytes } from 'node:crypto'
import type { AddressInfo } from 'node:net'
import type { InboundRequest } from './inbound.js'
import { H1Server, type H1ServerOptions, type RequestListener } from './server.js'
import { rawClient as client, parseResponses as parse } from '../../testing/router/raw-http.js'

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))
const get = (path: string, extra = '', version = '1.1'): string =>
  `GET ${path} HTTP/${version}\r\nHost: x\r\n${extra}\r\n`
const post = (path: string, body: string, extra = ''): string =>
  `POST ${path} HTTP/1.1\r\nHost: x\r\n${extra}Content-Length: ${body.length}\r\n\r\n${body}`

async function serve(t: ExecutionContext, f: RequestListener, o: Partial<H1ServerOptions> = {}) {
  const h1 = new H1Server({ maxHeaderBytes: 16_384, ...o }, f)
  await new Promise<void>((r) => h1.server.listen(0, '127.0.0.1', r))
  t.teardown(() => (h1.drain(), h1.destroyAll()))
  return { h1, port: (h1.server.address() as AddressInfo).port }
}

/** Resolves with `p`, or rejects after `ms`. */
const within = <T>(p: Promise<T>, ms = 5000): Promise<T> =>
  Promise.race([p, sleep(ms).then(() => Promise.reject(new Error(`not within ${ms} ms`)))])

/** Waits (up to 5 s) until `f()` holds: the server side of a close lags the client's. */
async function eventually(f: () => boolean): Promise<boolean> {
  for (let i = 0; i < 500 && !f(); i++) await sleep(10)
  return f()
}

const count = (n: number) => (s: string) => parse(s).length >= n
const bodies = (s: string): string[] => parse(s).map((r) => r.body)

const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex')
const echoUrl: RequestListener = (req, res) => res.end(req.url)
const echoBody: RequestListener = (req, res) =>
  void req.body.toArray().then((chunks) => res.end(sha(Buffer.concat(chunks))))

test('keep-alive: two requests on one socket; date, keep-alive, content-length from end', async (t) => {
  const { h1, port } = await serve(t, (req, res) => {
    res.writeHead(200, ['x-url', req.url])
    res.end(`hi ${req.url}`)
  })
  const c = await client(t, port)
  c.socket.write(get('/a'))
  await c.until(count(1))
  c.socket.write(get('/bb'))
  const [a, b] = parse(await c.until(count(2)))
  const headers = { 'x-url': '/a', 'content-length': '5', 'keep-alive': 'timeout=65' }
  t.like(a, { status: 200, body: 'hi /a', headers })
  t.like(b, { status: 200, body: 'hi /bb', headers: { 'content-length': '6' } })
  t.regex(a?.headers.date ?? '', /^\w{3}, \d\d \w{3} \d{4} \d\d:\d\d:\d\d GMT$/)
  t.is(a?.headers.connection, undefined)
  t.false(c.socket.destroyed)
  t.is(h1.size, 1)
})

test('pipelined requests are answered in request order, dispatched one at a time', async (t) => {
  const started: string[] = []
  const delay: Record<string, number> = { '/1': 80, '/2': 40, '/3': 0 }
  const { port } = await serve(t, (req, res) => {
    started.push(req.url)
    setTimeout(() => res.end(req.url), delay[req.url])
  })
  const c = await client(t, port)
  c.socket.write(get('/1') + get('/2') + get('/3'))
  t.deepEqual(bodies(await c.until(count(3))), ['/1', '/2', '/3'])
  t.deepEqual(started, ['/1', '/2', '/3'])
})

test('a pipeline of 100 requests in one write is answered in order', async (t) => {
  const { port } = await serve(t, (req, res) =>
    Number(req.url.slice(1)) % 3 ? res.end(req.url) : setImmediate(() => res.end(req.url)),
  )
  const c = await client(t, port)
  const urls = Array.from({ length: 100 }, (_, i) => `/${i}`)
  c.socket.write(urls.map((u) => get(u)).join(''))
  t.deepEqual(bodies(await c.until(count(100))), urls)
  t.false(c.socket.destroyed)
})

const streamed: RequestListener = (_req, res) => {
  res.writeHead(200, ['x-a', 'b'])
  res.write(Buffer.from('ab'))
  setImmediate(() => res.end('cd'))
}

test('a streamed response without content-length is chunked on HTTP/1.1', async (t) => {
  const { port } = await serve(t, streamed)
  const c = await client(t, port)
  c.socket.write(get('/'))
  const text = await c.until(count(1))
  t.like(parse(text)[0], { body: 'abcd', headers: { 'transfer-encoding': 'chunked' } })
  t.true(text.endsWith('\r\n\r\n2\r\nab\r\n2\r\ncd\r\n0\r\n\r\n'))
  t.false(c.socket.destroyed)
})

test('HTTP/1.0: streamed response is close-delimited; keep-alive kept when length known', async (t) => {
  const { port } = await serve(t, (req, res) =>
    req.url === '/s' ? streamed(req, res) : res.end('known'),
  )
  const c = await client(t, port)
  c.socket.write(get('/s', '', '1.0'))
  await within(c.closed)
  t.like(parse(c.text()), [{ body: 'abcd', headers: { connection: 'close' } }])
  t.false(c.text().includes('transfer-encoding'))
  const k = await client(t, port)
  for (let n = 1; n <= 2; n++) {
    k.socket.write(get('/k', 'Connection: keep-alive\r\n', '1.0'))
    await k.until(count(n))
  }
  const [r] = parse(k.text())
  t.like(r, { body: 'known', headers: { connection: 'keep-alive', 'content-length': '5' } })
  t.regex(r?.headers['keep-alive'] ?? '', /^timeout=\d+$/)
  t.false(k.socket.destroyed)
})

test('HEAD and 204 responses carry no body even when the handler writes one', async (t) => {
  const { port } = await serve(t, (req, res) => {
    if (req.url === '/204') return (res.writeHead(204, []), res.end('nope'))
    if (req.method !== 'HEAD') return res.end('after')
    res.writeHead(200, ['content-length', '5'])
    res.write(Buffer.from('hel'))
    res.end('lo')
  })
  const c = await client(t, port)
  c.socket.write('HEAD / HTTP/1.1\r\nHost: x\r\n\r\n' + get('/204') + get('/after'))
  const text = await c.until((s) => s.endsWith('after'))
  t.is(text.match(/HTTP\/1\.1 /g)?.length, 3)
  t.false(/hel|nope/.test(text))
  t.regex(text, /^HTTP\/1\.1 200 OK\r\n.*content-length: 5\r\n.*HTTP\/1\.1 204 No Content\r\n/s)
})

test('content-length and chunked request bodies reach req.body intact', async (t) => {
  const { port } = await serve(t, echoBody)
  const body = randomBytes(1 << 20)
  const c = await client(t, port)
  c.socket.write(`POST / HTTP/1.1\r\nHost: x\r\nContent-Length: ${body.length}\r\n\r\n`)
  c.socket.write(body)
  const d = await client(t, port)
  d.socket.write('POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n')
  for (let i = 0, n = 1; i < body.length; i += n, n = (n * 7 + 3) % 70_000) {
    const piece = body.subarray(i, i + n)
    d.socket.write(`${piece.length.toString(16)}\r\n`)
    d.socket.write(Buffer.concat([piece, Buffer.from('\r\n')]))
  }
  d.socket.write('0\r\n\r\n')
  t.deepEqual(bodies(await c.until(count(1))), [sha(body)])
  t.deepEqual(bodies(await d.until(count(1))), [sha(body)])
})

test('a read body ending while its reader is behind leaves the connection reading', async (t) => {
  const { port } = await serve(t, echoBody)
  const c = await client(t, port)
  const body = 'x'.repeat(20_000)
  c.socket.write(post('/', body))
  await c.until(count(1))
  c.socket.write(post('/', 'next'))
  t.deepEqual(bodies(await c.until(count(2)))[1], sha(Buffer.from('next')))
})

test('a body the handler never reads is discarded; the connection serves the next one', async (t) => {
  const { port } = await serve(t, (req, res) =>
    req.method === 'POST' ? (res.writeHead(400, []), res.end('bad')) : res.end(req.url),
  )
  const c = await client(t, port)
  c.socket.write(post('/', 'x'.repeat(300_000)) + get('/next'))
  c.socket.write(
    'POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n',
  )
  c.socket.write(get('/last'))
  const rs = parse(await c.until(count(4))).map((r) => `${r.status} ${r.body}`)
  t.deepEqual(rs, ['400 bad', '200 /next', '400 bad', '200 /last'])
})

test('Expect: 100-continue gets an interim 100 before the final response', async (t) => {
  const { port } = await serve(t, echoBody)
  const c = await client(t, port)
  c.socket.write('POST / HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n')
  t.is(await c.until((s) => s.endsWith('\r\n\r\n')), 'HTTP/1.1 100 Continue\r\n\r\n')
  c.socket.write('hello')
  const rs = parse(await c.until(count(2))).map((r) => `${r.status} ${r.body}`)
  t.deepEqual(rs, ['100 ', `200 ${sha(Buffer.from('hello'))}`])
})

test('HTTP/1.0 ignores Expect: 100-continue (RFC 9110 10.1.1)', async (t) => {
  const { port } = await serve(t, echoUrl)
  const c = await client(t, port)
  c.socket.write('POST /ten HTTP/1.0\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\nhi')
  await within(c.closed)
  t.like(parse(c.text()), [{ status: 200, body: '/ten' }])
})

test('other expectations get 417 and CONNECT gets 405; both close the connection', async (t) => {
  let called = 0
  const { port } = await serve(t, (_req, res) => (called++, res.end()))
  for (const [head, status] of [
    [post('/', '', 'Expect: something-else\r\n'), 417],
    ['CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n' + get('/after'), 405],
  ] as const) {
    const c = await client(t, port)
    c.socket.write(head)
    await within(c.closed)
    t.like(parse(c.text()), [{ status, headers: { connection: 'close' } }])
    t.is(parse(c.text()).length, 1)
  }
  t.is(called, 0)
})

test('a request pipelined after a 417 never reaches the handler', async (t) => {
  const called: string[] = []
  const { port } = await serve(t, (req, res) => (called.push(req.url), res.end()))
  const c = await client(t, port)
  c.socket.write(post('/refused', '', 'Expect: nope\r\n') + post('/after', 'side effect'))
  await within(c.closed)
  t.deepEqual(called, [])
})

test('malformed request line gets 400 and an oversized head 431; both close', async (t) => {
  const { port } = await serve(t, echoUrl, { maxHeaderBytes: 1024 })
  const bad = await client(t, port)
  bad.socket.write('THIS IS NOT HTTP\r\n\r\n')
  await within(bad.closed)
  t.regex(bad.text(), /^HTTP\/1\.1 400 Bad Request\r\nconnection: close\r\n/)
  const big = await client(t, port)
  big.socket.write(get('/', `X-Big: ${'y'.repeat(2000)}\r\n`))
  await within(big.closed)
  t.regex(big.text(), /^HTTP\/1\.1 431 Request Header Fields Too Large\r\n/)
})

test('a large head arriving in pieces keeps every header and the URL', async (t) => {
  let seen: InboundRequest | undefined
  const { port } = await serve(t, (req, res) => ((seen = req), res.end()), {
    maxHeaderBytes: 65_536,
  })
  const url = `/${'p'.repeat(3000)}?q=${'z'.repeat(1000)}`
  const fields = ['Host', 'x']
  for (let i = 0; i < 100; i++) fields.push(`X-Field-${i}`, `${i}-${'v'.repeat(80)}`)
  let head = `GET ${url} HTTP/1.1\r\n`
  for (let i = 0; i < fields.length; i += 2) head += `${fields[i]}: ${fields[i + 1]}\r\n`
  const c = await client(t, port)
  for (const piece of `${head}\r\n`.match(/[^]{1,700}/g) ?? []) {
    c.socket.write(piece)
    await sleep(5)
  }
  await c.until(count(1))
  t.is(seen?.url, url)
  t.deepEqual(seen?.rawHeaders, fields)
})

test('a head that stalls gets 408 and the connection closes', async (t) => {
  const { port } = await serve(t, echoUrl, { headTimeoutMs: 300 })
  const c = await client(t, port)
  c.socket.write('GET / HTTP/1.1\r\nHost: x\r\n')
  await within(c.closed)
  t.regex(c.text(), /^HTTP\/1\.1 408 Request Timeout\r\n/)
})

test('a body that stalls past receiveTimeoutMs: 408 replaces the response not begun, whose call is aborted', async (t) => {
  let finished: boolean | undefined
  const { h1, port } = await serve(
    t,
    (req, res) => {
      res.onClose = (r) => (finished = r.writableFinished)
      req.body.resume()
    },
    { receiveTimeoutMs: 400 },
  )
  const c = await client(t, port)
  c.socket.write('POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc')
  await within(c.closed)
  t.like(parse(c.text()), [{ status: 408, headers: { connection: 'close' } }])
  t.true(await eventually(() => finished !== undefined))
  t.false(finished)
  t.true(await eventually(() => h1.size === 0))
})

test('a stalled message gets 408 from receiveTimeoutMs; one answered early gets no second response', async (t) => {
  const { port } = await serve(
    t,
    (req, res) => (req.url === '/early' ? res.end('early') : undefined),
    {
      receiveTimeoutMs: 400,
    },
  )
  const slow = await client(t, port)
  slow.socket.write('POST /slow HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc')
  const early = await client(t, port)
  early.socket.write('POST /early HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc')
  await within(slow.closed)
  t.like(parse(slow.text()), [
    { status: 408, body: 'request not received within 400 ms (receiveTimeoutMs)\n' },
  ])
  await within(early.closed)
  t.deepEqual(
    parse(early.text()).map((r) => `${r.status} ${r.body}`),
    ['200 early'],
  )
})

test('idle keep-alive connections close after idleTimeoutMs; slow responses do not', async (t) => {
  const slow: RequestListener = (_req, res) => {
    res.writeHead(200, [])
    res.write(Buffer.from('a'))
    setTimeout(() => res.end('b'), 3000)
  }
  // 1 s idle against a 3 s response: wide enough that a loaded machine cannot reorder them.
  const { h1, port } = await serve(t, slow, { idleTimeoutMs: 1000 })
  const c = await client(t, port)
  c.socket.write(get('/slow'))
  t.deepEqual(bodies(await c.until(count(1))), ['ab'])
  t.false(c.socket.destroyed)
  await within(c.closed)
  t.true(await eventually(() => h1.size === 0))
})

test('the idle timer starts when a slowly sent body completes', async (t) => {
  const { port } = await serve(t, (req, res) => res.end(req.method), { idleTimeoutMs: 400 })
  const c = await client(t, port)
  c.socket.write('POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 8\r\n\r\n')
  for (let i = 0; i < 8; i++) {
    await sleep(100)
    c.socket.write('x')
  }
  await sleep(100)
  c.socket.write(get('/'))
  t.deepEqual(bodies(await c.until(count(2))), ['POST', 'GET'])
})

test('a client gone mid-response: onClose sees writableFinished false', async (t) => {
  let closed: (finished: boolean) => void = () => {}
  const gone = new Promise<boolean>((r) => (closed = r))
  const { h1, port } = await serve(t, (_req, res) => {
    res.onClose = (r) => closed(r.writableFinished)
    res.writeHead(200, [])
    const tick = setInterval(() => res.write(Buffer.from('tick')), 10)
    void gone.then(() => clearInterval(tick))
  })
  const c = await client(t, port)
  c.socket.write(get('/'))
  await c.until((s) => s.includes('tick'))
  c.socket.destroy()
  t.false(await within(gone))
  t.true(await eventually(() => h1.size === 0))
})

test('a client that closes its side abandons its unanswered request (as node:http)', async (t) => {
  let finished: boolean | undefined
  const { h1, port } = await serve(t, (req, res) => {
    res.onClose = (r) => (finished = r.writableFinished)
    setTimeout(() => res.end(`late ${req.url}`), 300)
  })
  const c = await client(t, port)
  c.socket.end(get('/h'))
  await within(c.closed)
  t.is(c.text(), '')
  t.true(await eventually(() => finished !== undefined))
  t.false(finished)
  t.true(await eventually(() => h1.size === 0))
})

test('a client that closes its side after its answer: the server closes too', async (t) => {
  const { h1, port } = await serve(t, (_req, res) => res.end('ok'))
  const c = await client(t, port)
  c.socket.write(get('/'))
  await c.until(count(1))
  c.socket.end()
  await within(c.closed)
  t.true(await eventually(() => h1.size === 0))
})

test('drain closes idle connections at once, busy ones after a connection: close response', async (t) => {
  let release: (() => void) | undefined
  const { h1, port } = await serve(t, (req, res) =>
    req.url === '/busy' ? (release = () => res.end('done')) : res.end('quick'),
  )
  const idle = await client(t, port)
  idle.socket.write(get('/'))
  await idle.until(count(1))
  const busy = await client(t, port)
  busy.socket.write(get('/busy'))
  t.true(await eventually(() => release !== undefined))
  const closed = h1.closed()
  h1.drain()
  await within(idle.closed)
  t.false(busy.socket.destroyed)
  release?.()
  await within(busy.closed)
  t.like(parse(busy.text()), [{ body: 'done', headers: { connection: 'close' } }])
  await within(closed)
})

test('closed() resolves only once every connection is gone and its response closed', async (t) => {
  let onClose: boolean | undefined
  const { h1, port } = await serve(t, (_req, res) => {
    onClose = false
    res.onClose = () => (onClose = true)
  })
  const c = await client(t, port)
  c.socket.write(get('/'))
  t.true(await eventually(() => onClose === false))
  const closed = h1.closed()
  h1.drain()
  h1.destroyAll()
  await within(closed)
  t.is(h1.size, 0)
  t.true(onClose)
})

test('req.headers: lower-case keys, duplicates joined, set-cookie a list, host first-wins', async (t) => {
  let seen: InboundRequest | undefined
  const { port } = await serve(t, (req, res) => ((seen = req), res.end()))
  const c = await client(t, port)
  c.socket.write(
    'GET / HTTP/1.1\r\nHost: first\r\nX-Multi: a\r\nhost: second\r\nx-multi: b\r\n' +
      'Set-Cookie: c=1\r\nSET-COOKIE: d=2\r\nContent-Type: text/plain\r\n\r\n',
  )
  await c.until(count(1))
  const headers = { host: 'first', 'x-multi': 'a, b', 'set-cookie': ['c=1', 'd=2'] }
  t.deepEqual({ ...seen?.headers }, { ...headers, 'content-type': 'text/plain' })
  t.is(seen?.rawHeaders[2], 'X-Multi')
  t.is(seen?.remoteAddress, '127.0.0.1')
})
