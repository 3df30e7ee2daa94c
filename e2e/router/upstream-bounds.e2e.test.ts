/**
 * The real router bounds what a backend can make it hold: a backend that never answers gets a
 * 504 after the client's response timeout, one endpoint gets at most `maxSize` connections with
 * the excess requests waiting (and past `maxWaiters`, refused at once with a 503), and the
 * response headers a backend names in `Connection` stay between it and the router.
 */
import test, { type ExecutionContext } from 'ava'
import { createServer as createHttp, type ServerResponse } from 'node:http'
import { createServer as createTcp, type Server, type Socket } from 'node:net'
import { Agent } from 'undici'
import {
  adminMetrics,
  client,
  listenUntilTeardown,
  send,
  startRouter,
  tempDir,
  type Reply,
} from '../../testing/router/process.js'
import { eventually } from '../../testing/eventually.js'
import { rawClient } from '../../testing/router/raw-http.js'

/** A raw TCP backend: `onData` sees each connection's bytes; counts accepted connections. */
async function tcpBackend(t: ExecutionContext, onData: (s: Socket) => void) {
  const accepted = { count: 0 }
  const server: Server = createTcp((s) => {
    accepted.count++
    s.on('error', () => undefined)
    s.on('data', () => onData(s))
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  t.teardown(() => server.close())
  return { port: (server.address() as { port: number }).port, accepted }
}

/** An HTTP backend that holds each request until released; counts accepted connections. */
async function holdingBackend(t: ExecutionContext, holdMs?: number) {
  const held: ServerResponse[] = []
  const accepted = { count: 0 }
  const server = createHttp((req, res) => {
    req.resume()
    if (holdMs === undefined) held.push(res)
    else setTimeout(() => res.end('ok'), holdMs)
  })
  server.on('connection', () => accepted.count++)
  const port = await listenUntilTeardown(t, server)
  const release = (): void => {
    for (const res of held.splice(0)) res.end('ok')
  }
  return { port, held, accepted, release }
}

/** A router sending every name to 127.0.0.1:`port`, with these `client` keys. */
function routerTo(t: ExecutionContext, port: number, clientKeys: Record<string, unknown>) {
  return startRouter(t, tempDir(t), {
    routers: [{ protocol: 'http', dtab: `/svc => /$/inet/127.0.0.1/${port}`, client: clientKeys }],
  })
}

function errHeader(r: Reply): string {
  return decodeURIComponent(String(r.headers['l5d-err'] ?? '').replace(/\+/g, ' '))
}

/** Resolves with `p`, or fails after `ms` (a loose bound: it catches a hang). */
function within<T>(ms: number, what: string, p: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: nothing after ${ms} ms`)), ms)
  })
  return Promise.race([p, late]).finally(() => clearTimeout(timer))
}

test('a backend that accepts and never answers: 504 with l5d-err after responseTimeoutMs', async (t) => {
  const silent = await tcpBackend(t, () => undefined)
  const r = await routerTo(t, silent.port, { responseTimeoutMs: 300 })
  const reply = await within(15_000, 'the answer', send(client(t), r.port, '/', { host: 'web' }))
  t.is(reply.status, 504)
  t.regex(
    errHeader(reply),
    /nothing came from the endpoint for 300 ms \(client responseTimeoutMs\)/,
  )
  t.regex(reply.body, new RegExp(`127\\.0\\.0\\.1:${silent.port}`))
})

test('hostConnectionPool.maxSize: 300 concurrent clients share at most 8 backend connections, all answered', async (t) => {
  const backend = await holdingBackend(t, 30)
  const r = await routerTo(t, backend.port, { hostConnectionPool: { maxSize: 8 } })
  // One connection per client to the router.
  const clients = new Agent({ connections: 300, pipelining: 1 })
  t.teardown(() => clients.close())
  const replies = await within(
    60_000,
    'the 300 answers',
    Promise.all(Array.from({ length: 300 }, () => send(clients, r.port, '/', { host: 'web' }))),
  )
  t.deepEqual(
    replies.map((x) => `${x.status} ${x.body}`),
    replies.map(() => '200 ok'),
  )
  t.true(backend.accepted.count <= 8, `${backend.accepted.count} backend connections`)
})

test('hostConnectionPool.maxWaiters: a request beyond the waiting line gets a 503 at once', async (t) => {
  const backend = await holdingBackend(t)
  const r = await routerTo(t, backend.port, { hostConnectionPool: { maxSize: 1, maxWaiters: 1 } })
  const agent = client(t)
  const first = send(agent, r.port, '/', { host: 'web' })
  await eventually('the first request holds the connection', () => backend.held.length === 1)
  // One of these two waits for the connection; the other finds the line full.
  const [a, b] = [
    send(agent, r.port, '/', { host: 'web' }),
    send(agent, r.port, '/', { host: 'web' }),
  ]
  const refused = await within(10_000, 'the refusal', Promise.race([a, b]))
  t.is(refused.status, 503)
  t.regex(
    errHeader(refused),
    /1 requests already waiting \(client hostConnectionPool maxSize, maxWaiters\)/,
  )
  backend.release()
  t.is((await first).status, 200)
  await eventually('the waiter reaches the backend', () => backend.held.length === 1)
  backend.release()
  const statuses = (await Promise.all([a, b])).map((x) => x.status).sort()
  t.deepEqual(statuses, [200, 503])
  t.is(backend.accepted.count, 1)
  const counted = Object.entries(await adminMetrics(r)).filter(
    ([k]) => k.startsWith('rt/http/client/') && k.endsWith('/failures/POOL_QUEUE_FULL'),
  )
  t.deepEqual(
    counted.map(([, v]) => v),
    [1],
    'the refusal is counted in the client stats',
  )
})

test('a client that stops reading a large response does not hold the backend connection: others are answered', async (t) => {
  const big = Buffer.alloc(32 << 20, 'y')
  const server = createHttp((req, res) => res.end(req.url === '/big' ? big : 'ok'))
  const port = await listenUntilTeardown(t, server)
  const r = await routerTo(t, port, { responseTimeoutMs: 500, hostConnectionPool: { maxSize: 1 } })
  // Asks for 32 MiB and reads none of it: the router pauses the backend's response for it.
  const stalled = await rawClient(t, r.port)
  stalled.socket.pause()
  stalled.socket.write('GET /big HTTP/1.1\r\nhost: web\r\n\r\n')
  await new Promise((resolve) => setTimeout(resolve, 300))
  const reply = await within(
    15_000,
    'the next answer',
    send(client(t), r.port, '/', { host: 'web' }),
  )
  t.is(`${reply.status} ${reply.body}`, '200 ok')
  stalled.socket.resume()
  await within(15_000, 'the stalled client closed', stalled.closed)
  t.true(stalled.text().length < big.length, 'its response was cut short')
})

test('response headers the backend names in Connection, and the hop-by-hop ones, are not forwarded', async (t) => {
  const backend = await tcpBackend(t, (s) =>
    s.write(
      'HTTP/1.1 200 OK\r\nConnection: close, x-secret\r\nx-secret: 1\r\n' +
        'Keep-Alive: timeout=5\r\nProxy-Connection: keep-alive\r\nUpgrade: h2c\r\n' +
        'x-kept: 2\r\ncontent-length: 2\r\n\r\nok',
    ),
  )
  const r = await routerTo(t, backend.port, {})
  const reply = await send(client(t), r.port, '/', { host: 'web' })
  t.is(reply.status, 200)
  t.is(reply.body, 'ok')
  t.is(reply.headers['x-kept'], '2')
  for (const name of ['x-secret', 'proxy-connection', 'upgrade'])
    t.is(reply.headers[name], undefined, name)
  // The router's own keep-alive hint may be there; the backend's is not.
  t.not(reply.headers['keep-alive'], 'timeout=5')
  t.notRegex(String(reply.headers.connection ?? ''), /x-secret/i)
})
