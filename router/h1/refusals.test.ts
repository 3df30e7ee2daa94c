/**
 * Requests the HTTP/1.1 server answers itself, never handing them to the router: each gets one
 * response with its status, `connection: close`, `l5d-err`, and the connection closes.
 */
import test, { type ExecutionContext } from 'ava'
import type { AddressInfo } from 'node:net'
import { H1Server } from './server.js'
import { parseResponses, rawClient } from '../../testing/router/raw-http.js'

/**
 * A server that answers `200 <url>` a little later (as the router does, after binding) and
 * records the URLs it was handed.
 */
async function serve(t: ExecutionContext): Promise<{ port: number; routed: string[] }> {
  const routed: string[] = []
  const h1 = new H1Server({ maxHeaderBytes: 16_384 }, (req, res) => {
    routed.push(req.url)
    setTimeout(() => res.end(req.url), 20)
  })
  await new Promise<void>((r) => h1.server.listen(0, '127.0.0.1', r))
  t.teardown(() => (h1.drain(), h1.destroyAll()))
  return { port: (h1.server.address() as AddressInfo).port, routed }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))
const within = <T>(p: Promise<T>, ms: number): Promise<T> =>
  Promise.race([p, sleep(ms).then(() => Promise.reject(new Error(`not within ${ms} ms`)))])

/** Sends `bytes` on a new connection; the responses it got once the server closed it. */
async function exchange(t: ExecutionContext, port: number, bytes: string) {
  const c = await rawClient(t, port)
  c.socket.write(bytes)
  await within(c.closed, 2000)
  return parseResponses(c.text())
}

for (const version of ['2.0', '0.9', '1.2', '3.0']) {
  test(`an HTTP/${version} request line gets 505 and is not routed`, async (t) => {
    const { port, routed } = await serve(t)
    const rs = await exchange(t, port, `GET /v HTTP/${version}\r\nHost: x\r\n\r\n`)
    t.is(rs.length, 1)
    t.like(rs[0], { status: 505, headers: { connection: 'close' } })
    t.regex(rs[0]?.headers['l5d-err'] ?? '', /^HTTP/)
    t.deepEqual(routed, [])
  })
}

test('an absolute-form URL with userinfo gets 400 and is not routed', async (t) => {
  const { port, routed } = await serve(t)
  const rs = await exchange(t, port, 'GET http://user:pw@bar/p HTTP/1.1\r\nHost: bar\r\n\r\n')
  t.like(rs, [{ status: 400, body: 'userinfo (user@) is not allowed in the URL\n' }])
  t.is(rs.length, 1)
  t.deepEqual(routed, [])
})

test('an @ in the path or query of a URL is not userinfo', async (t) => {
  const { port, routed } = await serve(t)
  const c = await rawClient(t, port)
  c.socket.write('GET http://bar/p@q?u=a@b HTTP/1.1\r\nHost: bar\r\n\r\nGET /x@y HTTP/1.1\r\n\r\n')
  const rs = parseResponses(await c.until((s) => parseResponses(s).length === 2))
  t.deepEqual(
    rs.map((r) => r.status),
    [200, 200],
  )
  t.deepEqual(routed, ['http://bar/p@q?u=a@b', '/x@y'])
})

for (const after of [
  'garbage that is not HTTP\r\n\r\n',
  'GET /second HTTP/1.1\r\nHost: x\r\n\r\n',
]) {
  test(`bytes after Connection: close are not answered (${JSON.stringify(after.slice(0, 12))})`, async (t) => {
    const { port, routed } = await serve(t)
    const rs = await exchange(
      t,
      port,
      `GET /first HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n${after}`,
    )
    t.deepEqual(
      rs.map((r) => `${r.status} ${r.body}`),
      ['200 /first'],
    )
    t.deepEqual(routed, ['/first'])
  })
}

test('bytes after an HTTP/1.0 request without keep-alive are not answered', async (t) => {
  const { port, routed } = await serve(t)
  const rs = await exchange(t, port, 'GET /ten HTTP/1.0\r\n\r\nnot a request\r\n\r\n')
  t.deepEqual(
    rs.map((r) => `${r.status} ${r.body}`),
    ['200 /ten'],
  )
  t.deepEqual(routed, ['/ten'])
})

test('a malformed request gets 400 with its parser error in l5d-err and the body', async (t) => {
  const { port } = await serve(t)
  const rs = await exchange(t, port, 'GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 1x\r\n\r\n')
  t.like(rs, [{ status: 400, headers: { 'content-type': 'text/plain' } }])
  t.regex(rs[0]?.body ?? '', /^malformed request \(HPE_INVALID_CONTENT_LENGTH\): /)
  t.regex(rs[0]?.headers['l5d-err'] ?? '', /^malformed\+request\+%28HPE_INVALID_CONTENT_LENGTH%29/)
})

test('an HTTP/2 connection preface gets 400 saying the port speaks HTTP/1.1', async (t) => {
  const { port, routed } = await serve(t)
  const rs = await exchange(t, port, 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n')
  t.is(rs[0]?.status, 400)
  t.regex(rs[0]?.body ?? '', /^HTTP\/2 on an HTTP\/1\.1 port/)
  t.deepEqual(routed, [])
})
