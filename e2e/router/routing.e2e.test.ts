import test from 'ava'
import { readFileSync } from 'node:fs'
import { connect } from 'node:net'
import { join } from 'node:path'
import {
  backend,
  client,
  disco,
  echoed,
  send,
  startRouter,
  tempDir,
} from '../../testing/router/process.js'

test('a request is named from its Host, bound through the dtab, and stamped with linkerd headers', async (t) => {
  const web = await backend(t, 'web')
  const dir = tempDir(t)
  const root = disco(dir, { web: [web] })
  const r = await startRouter(t, dir, {
    namers: [{ kind: 'io.l5d.fs', rootDir: root }],
    routers: [{ protocol: 'http', dtab: '/svc => /#/io.l5d.fs' }],
  })
  const agent = client(t)
  const reply = await send(agent, r.port, '/a/b?c=1', { host: 'web', 'x-custom': 'kept' })
  t.is(reply.status, 200)
  t.is(reply.headers['via'], '1.1 linkerd')
  const seen = echoed(reply)
  t.is(seen.backend, 'web')
  t.is(seen.url, '/a/b?c=1')
  t.is(seen.headers['host'], 'web')
  t.is(seen.headers['x-custom'], 'kept')
  t.is(seen.headers['l5d-dst-service'], '/svc/web')
  t.is(seen.headers['l5d-dst-client'], '/#/io.l5d.fs/web')
  t.regex(seen.headers['l5d-reqid'] ?? '', /^[0-9a-f]{16}$/)
  t.is(seen.headers['via'], '1.1 linkerd')
  t.is(seen.headers['l5d-dst-residual'], undefined)
  t.is(seen.headers['l5d-ctx-dtab'], undefined)
})

test('the io.l5d.path identifier names by segments; consume rewrites the URL sent upstream', async (t) => {
  const api = await backend(t, 'api')
  const dir = tempDir(t)
  const r = await startRouter(t, dir, {
    routers: [
      {
        protocol: 'http',
        identifier: { kind: 'io.l5d.path', segments: 2, consume: true },
        dtab: `/svc/api/v1 => /$/inet/127.0.0.1/${api.port}`,
      },
    ],
  })
  const reply = await send(client(t), r.port, '/api/v1/users/7?x=1', { host: 'anything' })
  t.is(reply.status, 200)
  const seen = echoed(reply)
  t.is(seen.url, '/users/7?x=1')
  t.is(seen.headers['l5d-dst-service'], '/svc/api/v1')
  t.is(seen.headers['l5d-dst-client'], `/$/inet/127.0.0.1/${api.port}`)
})

test('l5d-dtab overrides win over l5d-ctx-dtab and the base; the local dtab travels on', async (t) => {
  const [a, b, c] = [await backend(t, 'a'), await backend(t, 'b'), await backend(t, 'c')]
  const dir = tempDir(t)
  const r = await startRouter(t, dir, {
    routers: [{ protocol: 'http', dtab: `/svc/web => /$/inet/127.0.0.1/${a.port}` }],
  })
  const agent = client(t)
  t.is(echoed(await send(agent, r.port, '/', { host: 'web' })).backend, 'a')
  const ctx = `/svc/web => /$/inet/127.0.0.1/${b.port}`
  const user = `/svc/web => /$/inet/127.0.0.1/${c.port}`
  const both = echoed(
    await send(agent, r.port, '/', { host: 'web', 'l5d-ctx-dtab': ctx, 'l5d-dtab': user }),
  )
  t.is(both.backend, 'c')
  t.is(
    both.headers['l5d-ctx-dtab'],
    `/svc/web=>/$/inet/127.0.0.1/${b.port};/svc/web=>/$/inet/127.0.0.1/${c.port}`,
  )
  t.is(both.headers['l5d-dtab'], undefined, 'the user override is consumed, not forwarded')
  t.is(echoed(await send(agent, r.port, '/', { host: 'web', 'l5d-ctx-dtab': ctx })).backend, 'b')
})

test('a 90/10 union splits 10,000 requests within 1.5 points of 10%', async (t) => {
  t.timeout(120_000)
  const [v1, v2] = [await backend(t, 'v1'), await backend(t, 'v2')]
  const dir = tempDir(t)
  const dtab = `/svc/users => 90 * /$/inet/127.0.0.1/${v1.port} & 10 * /$/inet/127.0.0.1/${v2.port}`
  const r = await startRouter(t, dir, { routers: [{ protocol: 'http', dtab }] })
  const agent = client(t)
  const counts = { v1: 0, v2: 0, other: 0 }
  const total = 10_000
  let next = 0
  const worker = async (): Promise<void> => {
    while (next < total) {
      next++
      const reply = await send(agent, r.port, '/', { host: 'users' })
      const name = reply.headers['x-backend']
      if (name === 'v1' || name === 'v2') counts[name]++
      else counts.other++
    }
  }
  await Promise.all(Array.from({ length: 32 }, worker))
  t.is(counts.other, 0)
  const share = (100 * counts.v2) / (counts.v1 + counts.v2)
  t.true(Math.abs(share - 10) <= 1.5, `v2 got ${share.toFixed(2)}%`)
})

test('clearContext ignores overrides from untrusted clients and strips l5d headers both ways', async (t) => {
  const [a, b] = [await backend(t, 'a'), await backend(t, 'b')]
  const dir = tempDir(t)
  const r = await startRouter(t, dir, {
    routers: [
      {
        protocol: 'http',
        dtab: `/svc/web => /$/inet/127.0.0.1/${a.port}`,
        servers: [{ clearContext: true }],
      },
    ],
  })
  const agent = client(t)
  const override = `/svc/web => /$/inet/127.0.0.1/${b.port}`
  const reply = await send(agent, r.port, '/', {
    host: 'web',
    'l5d-dtab': override,
    'l5d-ctx-x': '1',
  })
  const seen = echoed(reply)
  t.is(seen.backend, 'a')
  t.is(seen.headers['l5d-ctx-x'], undefined)
  t.is(seen.headers['l5d-dst-service'], '/svc/web', 'fresh linkerd headers are still written')
  const missing = await send(agent, r.port, '/', { host: 'nope' })
  t.is(missing.status, 502)
  t.is(missing.headers['l5d-err'], undefined)
  t.is(missing.body, '', 'error details are not shown to an untrusted client')
})

test('what the namer did not consume travels as l5d-dst-residual', async (t) => {
  const web = await backend(t, 'web')
  const dir = tempDir(t)
  const r = await startRouter(t, dir, {
    routers: [{ protocol: 'http', dtab: `/svc => /$/inet/127.0.0.1/${web.port}` }],
  })
  const seen = echoed(await send(client(t), r.port, '/', { host: 'web' }))
  t.is(seen.headers['l5d-dst-service'], '/svc/web')
  t.is(seen.headers['l5d-dst-client'], `/$/inet/127.0.0.1/${web.port}`)
  t.is(seen.headers['l5d-dst-residual'], '/web')
})

test('the access log records a forwarded response with its status and content-length', async (t) => {
  const fixed = await backend(t, 'fixed', (req, res) => {
    req.resume()
    res.writeHead(200, { 'content-length': '5' })
    res.end('hello')
  })
  const dir = tempDir(t)
  const accessLog = join(dir, 'access.log')
  const r = await startRouter(t, dir, {
    routers: [
      {
        protocol: 'http',
        dtab: `/svc/fixed => /$/inet/127.0.0.1/${fixed.port}`,
        httpAccessLog: accessLog,
      },
    ],
  })
  const reply = await send(client(t), r.port, '/x?y=1', {
    host: 'fixed',
    referer: 'http://a/',
    'user-agent': 'ua',
  })
  t.is(reply.body, 'hello')
  await r.stop()
  t.regex(
    readFileSync(accessLog, 'utf8'),
    /^fixed 127\.0\.0\.1 - - \[[^\]]+\] "GET \/x\?y=1 HTTP\/1\.1" 200 5 "http:\/\/a\/" "ua"\n$/,
  )
})

test('the access log records a response cut short by its backend, with the client address', async (t) => {
  const cut = await backend(t, 'cut', (req, res) => {
    req.resume()
    res.writeHead(200, { 'content-type': 'text/plain' })
    res.write('part one,')
    setTimeout(() => res.socket?.destroy(), 50)
  })
  const dir = tempDir(t)
  const accessLog = join(dir, 'access.log')
  const r = await startRouter(t, dir, {
    routers: [
      {
        protocol: 'http',
        dtab: `/svc/cut => /$/inet/127.0.0.1/${cut.port}`,
        httpAccessLog: accessLog,
      },
    ],
  })
  const received = await new Promise<string>((resolve) => {
    const socket = connect(r.port, '127.0.0.1', () =>
      socket.write('GET /c HTTP/1.1\r\nHost: cut\r\n\r\n'),
    )
    let out = ''
    socket.on('data', (d: Buffer) => (out += d.toString()))
    socket.on('close', () => resolve(out))
  })
  t.true(received.endsWith('9\r\npart one,\r\n'), 'the client sees the response cut short')
  await r.stop()
  t.regex(
    readFileSync(accessLog, 'utf8'),
    /^cut 127\.0\.0\.1 - - \[[^\]]+\] "GET \/c HTTP\/1\.1" 200 - "-" "-"\n$/,
  )
})
