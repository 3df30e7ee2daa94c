import test from 'ava'
import { constants } from 'node:http2'
import { coreRouter, request } from '../../testing/router/core.js'
import { h2Endpoint } from '../../testing/h2/upstream.js'
import { freePort } from '../../testing/free-port.js'
import { fixtureNamers } from '../../testing/fixture-namer.js'
import { H2Sessions } from './sessions.js'

/** A core router sending `/svc/users` to 127.0.0.1:`port` over HTTP/2. */
function h2Router(t: { teardown(f: () => Promise<void>): void }, ...ports: number[]) {
  const connector = new H2Sessions()
  t.teardown(() => connector.close())
  const namers = fixtureNamers({ '/#/h2': { users: ports.map((p) => `127.0.0.1:${p}`) } })
  return coreRouter('/svc => /#/h2', () => 'hang', { connector }, namers)
}

// The routing core over H2Sessions: what the core makes of what the connector reports.

test('an answer through the core: status, body and trailers reach the client', async (t) => {
  const { endpoint } = await h2Endpoint(t, (stream, headers) => {
    stream.respond({ ':status': 200 }, { waitForTrailers: true })
    stream.on('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0' }))
    stream.end(`to ${String(headers[':authority'])}`)
  })
  const r = h2Router(t, endpoint.port)
  const c = await r.call(request(['Host', 'users']))
  t.is(c.error, undefined)
  t.is(c.status, 200, c.header('l5d-err'))
  t.is(c.body, 'to users')
  t.deepEqual(c.trailers, ['grpc-status', '0'])
})

test("a refused connection is the core's 502 ERR_CONNECT", async (t) => {
  const port = await freePort()
  const r = h2Router(t, port)
  const c = await r.call(request(['Host', 'users']))
  t.is(c.status, 502)
  const err = decodeURIComponent((c.header('l5d-err') ?? '').replace(/\+/g, ' '))
  t.true(err.startsWith(`Unable to establish connection to 127.0.0.1:${port}`), err)
})

test('a REFUSED_STREAM is requeued by the core to another endpoint', async (t) => {
  let refused = 0
  const a = await h2Endpoint(t, (stream) => {
    refused++
    stream.close(constants.NGHTTP2_REFUSED_STREAM)
  })
  const b = await h2Endpoint(t, (stream) => {
    stream.respond({ ':status': 200 })
    stream.end('answered')
  })
  const r = h2Router(t, a.endpoint.port, b.endpoint.port)
  for (let i = 0; i < 20; i++) {
    const c = await r.call(request(['Host', 'users']))
    t.is(c.status, 200, c.header('l5d-err'))
    t.is(c.body, 'answered')
  }
  // p2c picks either endpoint at first: in 20 calls the refusing one is tried.
  t.true(refused > 0)
})
