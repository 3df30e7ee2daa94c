import test, { type ExecutionContext } from 'ava'
import { createServer as createHttp, type IncomingMessage, type ServerResponse } from 'node:http'
import { createServer as createTcp, type Socket } from 'node:net'
import { Readable } from 'node:stream'
import type { ResponseHandler, UpstreamRequest } from '../core/handler.js'
import { eventually } from '../../testing/eventually.js'
import { H1Pool, type H1PoolOptions } from './pool.js'

interface Outcome {
  status: number
  fields: string[]
  body: string
  error?: Error & { code?: string }
}

/** Sends one request through `pool` and collects what the handler hears. */
function send(pool: H1Pool, r: Partial<UpstreamRequest> = {}): Promise<Outcome> {
  return new Promise((resolve) => {
    const out: Outcome = { status: 0, fields: [], body: '' }
    const handler: ResponseHandler = {
      onConnect: () => {},
      onHeaders: (status, fields) => ((out.status = status), (out.fields = fields), true),
      onData: (chunk) => ((out.body += chunk.toString()), true),
      onComplete: () => resolve(out),
      onError: (error) => resolve({ ...out, error }),
    }
    pool.dispatch({ method: 'GET', path: '/', headers: ['host', 'x'], body: null, ...r }, handler)
  })
}

type Handler = (req: IncomingMessage, res: ServerResponse) => void

async function http(
  t: ExecutionContext,
  handler: Handler,
): Promise<{ port: number; sockets: Set<Socket> }> {
  const sockets = new Set<Socket>()
  const server = createHttp(handler)
  server.on('connection', (s) => sockets.add(s))
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  t.teardown(() => {
    server.closeAllConnections()
    server.close()
  })
  return { port: (server.address() as { port: number }).port, sockets }
}

/** A raw TCP server answering each connection with `answer(socket, requestCountOnThatSocket)`. */
async function tcp(t: ExecutionContext, answer: (s: Socket, n: number) => void): Promise<number> {
  const server = createTcp((s) => {
    let n = 0
    s.on('data', () => answer(s, ++n))
    s.on('error', () => {})
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  t.teardown(() => server.close())
  return (server.address() as { port: number }).port
}

function pool(t: ExecutionContext, port: number, o: number | H1PoolOptions = {}): H1Pool {
  const p = new H1Pool('127.0.0.1', port, typeof o === 'number' ? { idleTimeMs: o } : o)
  t.teardown(() => p.close())
  return p
}

test('content-length and chunked responses; keep-alive reuses one connection', async (t) => {
  const { port, sockets } = await http(t, (req, res) => {
    if (req.url === '/chunked') {
      res.write('ab')
      setImmediate(() => res.end('cd'))
    } else res.end('hello')
  })
  const p = pool(t, port)
  const a = await send(p)
  t.is(a.status, 200)
  t.is(a.body, 'hello')
  const b = await send(p, { path: '/chunked' })
  t.is(b.body, 'abcd')
  t.true(b.fields.map((f) => f.toLowerCase()).includes('transfer-encoding'))
  t.is(sockets.size, 1)
  t.is(p.size, 1)
})

test('HEAD, 204 and 304 have no body; 1xx heads are skipped', async (t) => {
  const { port } = await http(t, (req, res) => {
    if (req.url === '/204') res.writeHead(204).end()
    else if (req.url === '/304') res.writeHead(304).end()
    else if (req.method === 'HEAD') res.writeHead(200, { 'content-length': '5' }).end()
    else {
      res.writeProcessing()
      res.writeHead(200, { 'content-length': '5' }).end('12345')
    }
  })
  const p = pool(t, port)
  const head = await send(p, { method: 'HEAD' })
  t.is(head.status, 200)
  t.is(head.body, '')
  t.is((await send(p, { path: '/204' })).status, 204)
  t.is((await send(p, { path: '/304' })).status, 304)
  const get = await send(p)
  t.is(get.status, 200, 'the 102 Processing head is not reported')
  t.is(get.body, '12345')
  t.is((await send(p)).body, '12345', 'the connection is still good')
})

test('a body delimited by the end of the connection is complete, and the connection not reused', async (t) => {
  const port = await tcp(t, (s) => s.end('HTTP/1.1 200 OK\r\nconnection: close\r\n\r\nuntil close'))
  const p = pool(t, port)
  t.is((await send(p)).body, 'until close')
  t.is((await send(p)).body, 'until close')
})

test('request bodies are streamed with their content-length, or chunked', async (t) => {
  const { port } = await http(t, (req, res) => {
    let body = ''
    req.on('data', (c) => (body += c))
    req.on('end', () =>
      res.end(
        `${req.headers['content-length'] ?? '-'} ${req.headers['transfer-encoding'] ?? '-'} ${body}`,
      ),
    )
  })
  const p = pool(t, port)
  const sized = await send(p, {
    method: 'POST',
    headers: ['host', 'x', 'content-length', '6'],
    body: Readable.from([Buffer.from('abc'), Buffer.from('def')]),
  })
  t.is(sized.body, '6 - abcdef')
  const big = 'x'.repeat(1 << 20)
  const chunked = await send(p, {
    method: 'POST',
    body: Readable.from([Buffer.from(big), Buffer.from('!')]),
  })
  t.is(chunked.body, `- chunked ${big}!`)
})

test('a stale keep-alive connection is replaced for a GET; the server never saw it fail', async (t) => {
  // Answers the first request of a connection, then resets it on the second.
  const port = await tcp(t, (s, n) => {
    if (n === 1) s.write('HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok')
    else s.resetAndDestroy()
  })
  const p = pool(t, port)
  t.is((await send(p)).body, 'ok')
  const again = await send(p)
  t.is(again.error, undefined)
  t.is(again.body, 'ok')
  const body = (): Partial<UpstreamRequest> => ({
    method: 'POST',
    headers: ['host', 'x', 'content-length', '1'],
    body: Readable.from([Buffer.from('x')]),
  })
  const post = await send(p, body())
  t.truthy(post.error, 'a POST on a reused connection that fails is never re-sent')
  t.is((await send(p, body())).body, 'ok', 'the next one gets a fresh connection')
})

test('a GET that was the first request of its connection is never re-sent: the endpoint took it', async (t) => {
  // A fresh connection reset before any answer is no keep-alive race: the endpoint read the
  // request and failed (it crashed, say). Only a retryable classifier sends it again.
  let requests = 0
  const port = await tcp(t, (s) => {
    requests++
    s.resetAndDestroy()
  })
  const reset = await send(pool(t, port))
  t.is(reset.error?.code, 'ECONNRESET')
  t.is(requests, 1)
})

test('failures: refused, reset mid-body, malformed response, closed early', async (t) => {
  // nothing listens on a port we just closed
  const gone = createTcp()
  await new Promise<void>((r) => gone.listen(0, '127.0.0.1', r))
  const deadPort = (gone.address() as { port: number }).port
  await new Promise<void>((r) => gone.close(() => r()))
  t.is((await send(pool(t, deadPort))).error?.code, 'ECONNREFUSED')
  const reset = await tcp(t, (s) => {
    s.write('HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\npartial')
    setTimeout(() => s.resetAndDestroy(), 20)
  })
  const r = await send(pool(t, reset))
  t.is(r.status, 200)
  t.is(r.body, 'partial')
  t.truthy(r.error)
  const bad = await tcp(t, (s) => s.end('NOT HTTP\r\n\r\n'))
  t.is((await send(pool(t, bad))).error?.code, 'HPE_INVALID_RESPONSE')
  const early = await tcp(t, (s) => s.end())
  t.is((await send(pool(t, early))).error?.code, 'UPSTREAM_CLOSED')
})

test('abort ends the exchange with its error; close waits for busy connections', async (t) => {
  let answer: (() => void) | undefined
  const { port } = await http(t, (_req, res) => (answer = () => res.end('late')))
  const p = pool(t, port)
  let abort: ((e: Error) => void) | undefined
  const aborted = new Promise<Outcome>((resolve) => {
    const out: Outcome = { status: 0, fields: [], body: '' }
    p.dispatch(
      { method: 'GET', path: '/', headers: ['host', 'x'], body: null },
      {
        onConnect: (a) => (abort = a),
        onHeaders: () => true,
        onData: () => true,
        onComplete: () => resolve(out),
        onError: (error) => resolve({ ...out, error }),
      },
    )
  })
  await new Promise((r) => setTimeout(r, 50))
  abort?.(new Error('client went away'))
  t.is((await aborted).error?.message, 'client went away')
  const pending = send(p)
  await new Promise((r) => setTimeout(r, 50))
  let closed = false
  const closing = p.close().then(() => (closed = true))
  await new Promise((r) => setTimeout(r, 30))
  t.false(closed, 'close waits for the exchange in flight')
  answer?.()
  t.is((await pending).body, 'late')
  await closing
  t.true(closed)
  t.truthy((await send(p)).error, 'a closed pool refuses new requests')
})

test('backpressure: a handler that returns false pauses the socket until resume', async (t) => {
  const { port } = await http(t, (_req, res) => res.end('y'.repeat(4 << 20)))
  const p = pool(t, port)
  let resume: (() => void) | undefined
  let got = 0
  let pausedAt = -1
  const done = new Promise<void>((resolve, reject) => {
    p.dispatch(
      { method: 'GET', path: '/', headers: ['host', 'x'], body: null },
      {
        onConnect: () => {},
        onHeaders: (_s, _f, r) => ((resume = r), true),
        onData: (c) => {
          got += c.length
          if (pausedAt === -1) {
            pausedAt = got
            return false
          }
          return true
        },
        onComplete: () => resolve(),
        onError: reject,
      },
    )
  })
  // Wait for the pause itself (a fixed delay raced the first chunk on a loaded machine), then
  // give the socket time to deliver more if it were not paused.
  await eventually('the first chunk', () => pausedAt !== -1)
  await new Promise((r) => setTimeout(r, 100))
  t.true(got < 4 << 20, `paused after ${got} bytes`)
  resume?.()
  await done
  t.is(got, 4 << 20)
})

test('a long-lived connection adds no listeners per request', async (t) => {
  const warnings: string[] = []
  const onWarning = (w: Error): void => void warnings.push(w.name)
  process.on('warning', onWarning)
  t.teardown(() => process.off('warning', onWarning))
  const { port, sockets } = await http(t, (_req, res) => res.end('x'))
  const p = pool(t, port)
  for (let i = 0; i < 30; i++) t.is((await send(p)).body, 'x')
  await new Promise((r) => setImmediate(r))
  t.is(sockets.size, 1)
  t.deepEqual(warnings, [])
})

test('a head with many fields (delivered by the parser in pieces) arrives whole', async (t) => {
  const names = Array.from({ length: 70 }, (_, i) => `x-h${i}`)
  const { port } = await http(t, (_req, res) => {
    for (const n of names) res.setHeader(n, n.toUpperCase())
    res.end('ok')
  })
  const p = pool(t, port)
  for (let i = 0; i < 2; i++) {
    const r = await send(p)
    const got = new Map<string, string>()
    for (let j = 0; j < r.fields.length; j += 2)
      got.set(r.fields[j] as string, r.fields[j + 1] as string)
    t.deepEqual(
      names.filter((n) => got.get(n) !== n.toUpperCase()),
      [],
      `exchange ${i}`,
    )
    t.is(r.body, 'ok')
  }
})

/** Dispatches one request whose abort the test holds; resolves with its outcome. */
function abortable(p: H1Pool): { abort: (e: Error) => void; outcome: Promise<Outcome> } {
  let abort: (e: Error) => void = () => undefined
  const outcome = new Promise<Outcome>((resolve) => {
    const out: Outcome = { status: 0, fields: [], body: '' }
    p.dispatch(
      { method: 'GET', path: '/', headers: ['host', 'x'], body: null },
      {
        onConnect: (a) => (abort = a),
        onHeaders: (status) => ((out.status = status), true),
        onData: (c) => ((out.body += c.toString()), true),
        onComplete: () => resolve(out),
        onError: (error) => resolve({ ...out, error }),
      },
    )
  })
  return { abort: (e) => abort(e), outcome }
}

/** An HTTP backend that holds every request until `release()`; counts its connections. */
async function holding(t: ExecutionContext) {
  const held: ServerResponse[] = []
  const server = await http(t, (_req, res) => void held.push(res))
  const release = (): void => {
    for (const res of held.splice(0)) res.end('done')
  }
  return { ...server, held, release }
}

test('maxSize: concurrent requests share at most maxSize connections; the rest wait their turn', async (t) => {
  const { port, sockets } = await http(t, (_req, res) => setTimeout(() => res.end('ok'), 20))
  const p = pool(t, port, { maxSize: 3, maxWaiters: 100 })
  const outcomes = await Promise.all(Array.from({ length: 60 }, () => send(p)))
  t.deepEqual(
    outcomes.map((o) => o.body),
    outcomes.map(() => 'ok'),
  )
  t.true(sockets.size <= 3, `${sockets.size} connections`)
  t.is(p.waiting, 0)
})

/** A pool of one connection and one place in line, its connection busy with `first`. */
async function busyPool(t: ExecutionContext, maxWaiters = 1) {
  const backend = await holding(t)
  const p = pool(t, backend.port, { maxSize: 1, maxWaiters })
  return { backend, p, first: send(p) }
}

test('maxWaiters: a request beyond the waiting line fails at once with POOL_QUEUE_FULL', async (t) => {
  const { backend, p, first } = await busyPool(t)
  const second = send(p)
  t.is(p.waiting, 1)
  const third = await send(p)
  t.is(third.error?.code, 'POOL_QUEUE_FULL')
  t.regex(third.error?.message ?? '', /maxSize, maxWaiters/)
  await eventually('the first request reaches the backend', () => backend.held.length === 1)
  backend.release()
  t.is((await first).body, 'done')
  await eventually('the waiter gets the released connection', () => backend.held.length === 1)
  backend.release()
  t.is((await second).body, 'done')
  t.is(backend.sockets.size, 1)
})

test('a waiter whose call is aborted leaves the line: its place goes to the next request', async (t) => {
  const { backend, p, first } = await busyPool(t)
  const waiter = abortable(p)
  t.is(p.waiting, 1)
  waiter.abort(new Error('client went away'))
  t.is((await waiter.outcome).error?.message, 'client went away')
  t.is(p.waiting, 0)
  const next = send(p)
  t.is(p.waiting, 1, 'the next request waits instead of being refused')
  await eventually('the first request reaches the backend', () => backend.held.length === 1)
  backend.release()
  await first
  await eventually('the next request reaches the backend', () => backend.held.length === 1)
  backend.release()
  t.is((await next).body, 'done')
})

test('close fails the waiters', async (t) => {
  const { backend, p, first } = await busyPool(t, 1024)
  const waiter = send(p)
  const closing = p.close()
  t.is((await waiter).error?.message, 'connection pool closed')
  await eventually('the first request reaches the backend', () => backend.held.length === 1)
  backend.release()
  t.is((await first).body, 'done')
  await closing
})

test('responseTimeoutMs: an endpoint that accepts and never answers fails the exchange', async (t) => {
  const silent = await tcp(t, () => undefined)
  const started = Date.now()
  const out = await send(pool(t, silent, { responseTimeoutMs: 200 }))
  t.is(out.error?.code, 'RESPONSE_TIMEOUT')
  t.regex(out.error?.message ?? '', /200 ms/)
  t.true(Date.now() - started < 5000, 'not held until some other timeout')
})

test('responseTimeoutMs counts silence: a response that keeps coming is never cut', async (t) => {
  const { port } = await http(t, (_req, res) => {
    let n = 0
    const tick = setInterval(() => {
      if (++n < 12) return void res.write(`${n % 10}`)
      clearInterval(tick)
      res.end()
    }, 150)
  })
  // 1.8 s of response, a piece every 150 ms: longer than the timeout, never silent that long.
  const out = await send(pool(t, port, { responseTimeoutMs: 1000 }))
  t.is(out.error, undefined)
  t.is(out.body, '12345678901')
})

/** A handler that pauses at the head and at every chunk, and resumes `afterMs` later (never: -1). */
function slowReader(afterMs: number) {
  let got = 0
  let resume: (() => void) | undefined
  const later = (r: () => void): false => {
    resume = r
    if (afterMs >= 0) setTimeout(r, afterMs)
    return false
  }
  let settle: (e: (Error & { code?: string }) | undefined) => void = () => {}
  const done = new Promise<(Error & { code?: string }) | undefined>((r) => (settle = r))
  const handler: ResponseHandler = {
    onConnect: () => {},
    onHeaders: (_s, _f, r) => later(r),
    onData: (c) => ((got += c.length), later(resume as () => void)),
    onComplete: () => settle(undefined),
    onError: settle,
  }
  return { handler, done, got: () => got }
}

const GET: UpstreamRequest = { method: 'GET', path: '/', headers: ['host', 'x'], body: null }

test('responseTimeoutMs: a downstream that keeps taking the response is never cut', async (t) => {
  const { port } = await http(t, (_req, res) => res.end('y'.repeat(1 << 20)))
  // Paused at every chunk for 150 ms: longer in all than the timeout, never that long at once.
  const reader = slowReader(150)
  pool(t, port, { responseTimeoutMs: 500 }).dispatch(GET, reader.handler)
  t.is(await reader.done, undefined)
  t.is(reader.got(), 1 << 20)
})

test('responseTimeoutMs: a downstream that takes nothing for that long fails the exchange and frees its place', async (t) => {
  t.timeout(15_000)
  const { port } = await http(t, (req, res) =>
    res.end(req.url === '/big' ? 'y'.repeat(32 << 20) : 'ok'),
  )
  const p = pool(t, port, { responseTimeoutMs: 300, maxSize: 1 })
  const stalled = slowReader(-1)
  p.dispatch({ ...GET, path: '/big' }, stalled.handler)
  const next = send(p)
  const err = await stalled.done
  t.is(err?.code, 'RESPONSE_TIMEOUT')
  t.regex(err?.message ?? '', /client took nothing of the response for 300 ms/)
  t.is((await next).body, 'ok', 'the waiting request gets the connection')
})

test('a connection paused by a finished exchange is not reused paused', async (t) => {
  // One write per response: its head, body and end come in one read.
  const port = await tcp(t, (s) => s.write('HTTP/1.1 200 OK\r\ncontent-length: 5\r\n\r\nwhole'))
  const p = pool(t, port, { maxSize: 1 })
  // The head pauses the socket and is never resumed; the body and end were in the same read.
  const first = slowReader(-1)
  p.dispatch(GET, first.handler)
  t.is(await first.done, undefined)
  const second = await Promise.race([
    send(p),
    new Promise<undefined>((r) => setTimeout(() => r(undefined), 5000).unref()),
  ])
  t.is(second?.body, 'whole', 'the next request on that connection is answered')
})

test("responseTimeoutMs: a slow request body is not the endpoint's silence", async (t) => {
  const { port } = await http(t, (req, res) => {
    let n = 0
    req.on('data', (c: Buffer) => (n += c.length))
    req.on('end', () => res.end(`got ${n}`))
  })
  // 1.5 s of upload, a piece every 150 ms; the endpoint answers only once it has it all.
  const body = new Readable({ read: () => undefined })
  let sent = 0
  const tick = setInterval(() => {
    if (++sent <= 10) return void body.push('x'.repeat(100))
    clearInterval(tick)
    body.push(null)
  }, 150)
  t.teardown(() => clearInterval(tick))
  const out = await send(pool(t, port, { responseTimeoutMs: 500 }), {
    method: 'POST',
    headers: ['host', 'x', 'content-length', '1000'],
    body,
  })
  t.is(out.error, undefined)
  t.is(out.body, 'got 1000')
})
