/**
 * startRouters picks each router's transport by its protocol: an http router and an h2 router
 * side by side, each routing to a real endpoint of its protocol, the h2 router's settings
 * reaching its server and its client (real sockets, node:http and node:http2).
 */
import test from 'ava'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createServer, request } from 'node:http'
import { connect, createServer as createH2Server, type IncomingHttpHeaders } from 'node:http2'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { nullLog } from '../lib/log.js'
import { parseConfig } from './config/index.js'
import { MetricsRegistry } from './metrics/index.js'
import { startRouters } from './start.js'

/** An HTTP/1.1 endpoint answering `who`. */
async function h1Endpoint(who: string) {
  const server = createServer((_req, res) => res.end(who))
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return { port: (server.address() as AddressInfo).port, close: () => server.close() }
}

/** An h2c endpoint answering `who`; the request heads and stream windows its clients sent. */
async function h2Endpoint(who: string) {
  const seen = { heads: [] as IncomingHttpHeaders[], windows: [] as (number | undefined)[] }
  const server = createH2Server()
  server.on('session', (s) => s.on('remoteSettings', (r) => seen.windows.push(r.initialWindowSize)))
  server.on('stream', (stream, head) => {
    seen.heads.push(head)
    stream.respond({ ':status': 200 })
    stream.end(who)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return { port: (server.address() as AddressInfo).port, seen, close: () => server.close() }
}

/** A gRPC-style path over h2c to the router at `port`: the answer and the router's window. */
function h2Get(port: number) {
  return new Promise<{ status: number; via: unknown; body: string; window?: number }>(
    (resolve, reject) => {
      const session = connect(`http://127.0.0.1:${port}`)
      session.on('error', reject)
      const stream = session.request({ ':path': '/users.Users/Get' })
      let head: IncomingHttpHeaders = {}
      let body = ''
      stream.setEncoding('utf8')
      stream.on('response', (h) => (head = h))
      stream.on('data', (d: string) => (body += d))
      stream.on('end', () => {
        const window = session.remoteSettings.initialWindowSize
        session.close()
        resolve({ status: Number(head[':status']), via: head.via, body, window })
      })
    },
  )
}

/** GET / with `Host: host` over HTTP/1.1: `<status> <body>`. */
function h1Get(port: number, host: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request({ port, host: '127.0.0.1', headers: { host }, agent: false }, (res) => {
      let body = ''
      res.on('data', (d: Buffer) => (body += d.toString()))
      res.on('end', () => resolve(`${res.statusCode} ${body}`))
    })
    req.on('error', reject)
    req.end()
  })
}

test('an http router and an h2 router, each over its own transport', async (t) => {
  const h1 = await h1Endpoint('h1 backend')
  const h2 = await h2Endpoint('h2 backend')
  const dir = mkdtempSync(join(tmpdir(), 'start-test-'))
  t.teardown(() => {
    h1.close()
    h2.close()
    rmSync(dir, { recursive: true, force: true })
  })
  writeFileSync(join(dir, 'web'), `127.0.0.1 ${h1.port}\n`)
  writeFileSync(join(dir, 'users.Users'), `127.0.0.1 ${h2.port}\n`)
  const config = parseConfig({
    admin: { port: 0 },
    namers: [{ kind: 'io.l5d.fs', rootDir: dir }],
    routers: [
      { protocol: 'http', dtab: '/svc => /#/io.l5d.fs', servers: [{ port: 0 }] },
      {
        protocol: 'h2',
        dtab: '/svc => /#/io.l5d.fs',
        identifier: { kind: 'io.l5d.header.path', segments: 1 },
        servers: [{ port: 0, initialStreamWindowBytes: 1_048_576 }],
        client: { initialStreamWindowBytes: 262_144 },
      },
    ],
  })
  const metrics = new MetricsRegistry({ defaultMetrics: false, snapshotIntervalMs: 0 })
  const running = await startRouters(config, nullLog, metrics)
  t.teardown(() => running.close(0))
  const [httpServer, h2Server] = running.servers
  if (httpServer === undefined || h2Server === undefined) return t.fail()
  t.is(await h1Get(httpServer.address.port, 'web'), '200 h1 backend')
  const answer = await h2Get(h2Server.address.port)
  t.deepEqual(answer, { status: 200, via: 'h2 linkerd', body: 'h2 backend', window: 1_048_576 })
  t.is(h2.seen.heads[0]?.[':path'], '/users.Users/Get')
  t.deepEqual(h2.seen.windows, [262_144], "the client's initialStreamWindowBytes")
})
