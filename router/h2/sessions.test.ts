import test from 'ava'
import { constants, type ServerHttp2Stream } from 'node:http2'
import { createServer as createTcpServer } from 'node:net'
import { Readable } from 'node:stream'
import { StreamResetError, UpstreamError } from '../core/handler.js'
import { eventually } from '../../testing/eventually.js'
import { endpointAt, exchange, h2Endpoint } from '../../testing/h2/upstream.js'
import { freePort } from '../../testing/free-port.js'
import { readPath } from '../../dtabs/index.js'
import type { Endpoint } from '../model.js'
import { H2Sessions, type H2SessionsOptions } from './sessions.js'
import type { H2ClientOptions } from './upstream-options.js'

/** The calling client's bound id: its settings are the test's. */
const CLIENT = readPath('/#/io.l5d.fs/test')

function sessions(t: { teardown(f: () => Promise<void>): void }, o: H2ClientOptions = {}) {
  const options: H2SessionsOptions = { settingsFor: () => o }
  const s = new H2Sessions(options)
  t.teardown(() => s.close())
  return { upstream: (e: Endpoint) => s.upstream(e, CLIENT) }
}

test('a unary exchange: :authority from host, te: trailers, body out, trailers back', async (t) => {
  let seen: Record<string, unknown> = {}
  let received = ''
  const { endpoint } = await h2Endpoint(t, (stream, headers) => {
    seen = headers
    stream.on('data', (c: Buffer) => (received += c.toString()))
    stream.on('end', () => {
      stream.respond({ ':status': 201, 'x-reply': 'yes' }, { waitForTrailers: true })
      stream.on('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0' }))
      stream.end('pong')
    })
  })
  const out = await exchange(new H2Sessions().upstream(endpoint), {
    method: 'POST',
    path: '/pkg.Svc/Call?x=1',
    headers: ['host', 'svc.test', 'x-one', 'a', 'x-one', 'b'],
    body: Buffer.from('ping'),
  })
  t.is(out.error, undefined)
  t.is(out.status, 201)
  t.is(out.body.toString(), 'pong')
  t.deepEqual(out.trailers, ['grpc-status', '0'])
  t.true(out.fields.includes('x-reply'))
  t.false(out.fields.some((f) => f.startsWith(':')))
  t.is(received, 'ping')
  t.is(seen[':authority'], 'svc.test')
  t.is(seen[':scheme'], 'http')
  t.is(seen[':path'], '/pkg.Svc/Call?x=1')
  t.is(seen[':method'], 'POST')
  t.is(seen.te, 'trailers')
  t.is(seen['x-one'], 'a, b')
  t.is(seen.host, undefined)
})

test('a repeated single-value field is sent once, with its first value; others repeat', async (t) => {
  let seen: Record<string, unknown> = {}
  const { endpoint } = await h2Endpoint(t, (stream, headers) => {
    seen = headers
    stream.respond({ ':status': 200 })
    stream.end('ok')
  })
  const headers = ['host', 'svc.test', 'Content-Type', 'application/grpc', 'content-type', 'text/x']
  headers.push('user-agent', 'first', 'user-agent', 'second', 'accept', 'a/b', 'accept', 'c/d')
  const out = await exchange(sessions(t).upstream(endpoint), { method: 'POST', headers })
  t.is(out.error, undefined)
  t.is(out.status, 200)
  t.is(seen['content-type'], 'application/grpc')
  t.is(seen['user-agent'], 'first')
  t.is(seen.accept, 'a/b, c/d')
})

test('16 MiB each way with flow control: slow readers on both sides keep memory bounded', async (t) => {
  const total = 16 * 1024 * 1024
  const piece = Buffer.alloc(64 * 1024, 'x')
  let produced = 0
  let consumed = 0
  let aheadMax = 0
  const body = new Readable({
    read() {
      aheadMax = Math.max(aheadMax, produced - consumed)
      if (produced >= total) return void this.push(null)
      produced += piece.length
      this.push(piece)
    },
  })
  let written = 0
  const { endpoint } = await h2Endpoint(t, (stream) => {
    // A slow reader: a pause after each chunk.
    stream.on('data', (c: Buffer) => {
      consumed += c.length
      stream.pause()
      setTimeout(() => stream.resume(), 1)
    })
    stream.on('end', () => {
      stream.respond({ ':status': 200 })
      const write = (): void => {
        while (written < total) {
          written += piece.length
          if (!stream.write(piece)) return void stream.once('drain', write)
        }
        stream.end()
      }
      write()
    })
  })
  let inFlightMax = 0
  let resume = (): void => undefined
  const out = await exchange(
    sessions(t).upstream(endpoint),
    { method: 'POST', body },
    {
      onHeaders: (_s, r) => ((resume = r), true),
      // A slow client: a pause after each chunk.
      onData: (_c, received) => {
        inFlightMax = Math.max(inFlightMax, written - received)
        setTimeout(resume, 1)
        return false
      },
    },
  )
  t.is(out.error, undefined)
  t.is(consumed, total)
  t.is(out.body.length, total)
  t.true(aheadMax < 4 * 1024 * 1024, `request body ran ${aheadMax} bytes ahead of the endpoint`)
  t.true(inFlightMax < 4 * 1024 * 1024, `response ran ${inFlightMax} bytes ahead of the client`)
})

test('1,000 concurrent streams share one session', async (t) => {
  const e = await h2Endpoint(
    t,
    (stream, headers) => {
      stream.respond({ ':status': 200 })
      stream.end(String(headers[':path']))
    },
    { settings: { maxConcurrentStreams: 1000 } },
  )
  const up = sessions(t).upstream(e.endpoint)
  const outs = await Promise.all(
    Array.from({ length: 1000 }, (_, i) => exchange(up, { path: `/${i}` })),
  )
  t.true(outs.every((o, i) => o.error === undefined && o.body.toString() === `/${i}`))
  t.is(e.sessions.length, 1)
})

test("the endpoint's RST_STREAM(CANCEL) mid-answer fails the exchange with its code", async (t) => {
  const { endpoint } = await h2Endpoint(t, (stream) => {
    stream.respond({ ':status': 200 })
    // More than the stream's window: the reset leaves before the rest of the answer can.
    stream.write(Buffer.alloc(1024 * 1024))
    stream.close(constants.NGHTTP2_CANCEL)
  })
  const out = await exchange(sessions(t).upstream(endpoint))
  t.is(out.status, 200)
  t.true(out.body.length < 1024 * 1024)
  t.true(out.error instanceof StreamResetError)
  t.is(out.error?.rstCode, 8)
  t.is(out.error?.code, 'ERR_STREAM_RESET')
  t.false(out.error?.unsent)
})

test('REFUSED_STREAM is unsent (the endpoint did no work on it)', async (t) => {
  const { endpoint } = await h2Endpoint(t, (stream) => {
    stream.close(constants.NGHTTP2_REFUSED_STREAM)
  })
  const out = await exchange(sessions(t).upstream(endpoint))
  t.true(out.error instanceof StreamResetError)
  t.is(out.error?.rstCode, 7)
  t.true(out.error?.unsent)
})

test('a refused connection fails unsent with its errno code, the body untouched', async (t) => {
  const port = await freePort()
  const body = Readable.from(['never read'])
  const out = await exchange(sessions(t).upstream(endpointAt(port)), { method: 'POST', body })
  t.true(out.error instanceof UpstreamError)
  t.is(out.error?.code, 'ECONNREFUSED')
  t.true(out.error?.unsent)
  t.is(body.readableDidRead, false)
})

test('a header name HTTP/2 cannot carry fails that request only: other streams go on', async (t) => {
  const held: ServerHttp2Stream[] = []
  const e = await h2Endpoint(t, (stream) => {
    if (stream.id === 1) return void held.push(stream)
    stream.respond({ ':status': 200 })
    stream.end('fine')
  })
  const up = sessions(t).upstream(e.endpoint)
  const inFlight = exchange(up)
  const bad = await exchange(up, { headers: ['host', 'svc.test', 'bad name', 'x'] })
  t.is(bad.error?.code, 'H2_BAD_HEADER')
  t.false(bad.error?.unsent)
  await eventually('the first stream held', () => held.length === 1)
  held[0]?.respond({ ':status': 200 })
  held[0]?.end('held')
  t.is((await inFlight).body.toString(), 'held')
  t.is((await exchange(up)).body.toString(), 'fine')
  t.is(e.sessions.length, 1)
})

test('closed while still connecting, with nothing left to carry: no error once it connects', async (t) => {
  const e = await h2Endpoint(t, (stream) => {
    stream.respond({ ':status': 200 })
    stream.end()
  })
  const s = new H2Sessions()
  // The only request fails before it is sent; the session, still connecting, is then closed.
  const bad = exchange(s.upstream(e.endpoint), { headers: ['host', 'svc.test', 'bad name', 'x'] })
  t.is((await bad).error?.code, 'H2_BAD_HEADER')
  await s.close()
  await new Promise((resolve) => setTimeout(resolve, 200))
  t.pass() // an error thrown from the session's late 'connect' fails this test file
})

test('abort while the session is still connecting: the abort error at once, the body unread', async (t) => {
  // A TCP endpoint that accepts and says nothing: a TLS handshake with it never ends.
  const server = createTcpServer((s) => s.on('error', () => {}))
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  t.teardown(() => server.close())
  const port = (server.address() as { port: number }).port
  const tls = { enabled: true, disableValidation: true, trustCerts: [] }
  const up = sessions(t, { tls, connectTimeoutMs: 2000 }).upstream(endpointAt(port))
  const body = Readable.from(['never read'])
  const gone = new Error('client gone')
  const out = await exchange(
    up,
    { method: 'POST', body },
    { onAbort: (abort) => setTimeout(() => abort(gone), 50) },
  )
  t.is(out.error, gone)
  t.is(body.readableDidRead, false)
})
