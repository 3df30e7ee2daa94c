/**
 * The HTTP/2 server over TLS: h2 negotiated by ALPN (never HTTP/1.1 on that port), and
 * `tls.clientNames` refusing every stream of a refused client with 403. Certificates from
 * testing/tls/pki.ts; real sockets, a real `node:http2` client.
 */
import test, { type ExecutionContext } from 'ava'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { connect as tlsConnect, type TLSSocket } from 'node:tls'
import type { ServerTlsConfig } from '../../lib/tls/server-config.js'
import { exchange, h2Client, h2Router, type Dispatched } from '../../testing/router/h2.js'
import { makeCa, type Ca } from '../../testing/tls/pki.js'

const ok = (d: Dispatched): void => {
  d.handler.onHeaders(200, [], () => undefined)
  d.handler.onData(Buffer.from('secure'))
  d.handler.onComplete()
}

async function pki(t: ExecutionContext): Promise<{ ca: Ca; tls: ServerTlsConfig }> {
  const dir = mkdtempSync(join(tmpdir(), 'h2-tls-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const ca = await makeCa(dir, 'ca')
  const server = await ca.issue('router', { dns: ['localhost'], ip: ['127.0.0.1'] })
  const tls: ServerTlsConfig = {
    certPath: server.cert,
    keyPath: server.key,
    caCertPath: ca.cert,
    requireClientAuth: false,
    protocols: ['TLSv1.2', 'TLSv1.3'],
  }
  return { ca, tls }
}

test('h2 over TLS by ALPN: routed as over h2c', async (t) => {
  const { ca, tls } = await pki(t)
  const r = await h2Router(t, ok, { tls })
  const c = h2Client(t, r.url, { ca: readFileSync(ca.cert), servername: 'localhost' })
  const a = await exchange(c, { ':path': '/' })
  t.is(a.status, 200)
  t.is(a.body.toString(), 'secure')
  t.is(c.alpnProtocol, 'h2')
  t.is(r.server.connections, 1)
})

test('a TLS client offering only http/1.1 is not served', async (t) => {
  const { ca, tls } = await pki(t)
  const r = await h2Router(t, ok, { tls })
  const socket: TLSSocket = tlsConnect({
    port: r.port,
    host: '127.0.0.1',
    servername: 'localhost',
    ca: readFileSync(ca.cert),
    ALPNProtocols: ['http/1.1'],
  })
  socket.on('error', () => undefined)
  socket.resume()
  socket.write('GET / HTTP/1.1\r\nHost: users\r\n\r\n')
  await new Promise((resolve) => socket.once('close', resolve))
  t.is(r.dispatched.length, 0)
})

test('tls.clientNames: every stream of a refused client is answered 403, counted once', async (t) => {
  const { ca, tls } = await pki(t)
  const r = await h2Router(t, ok, {
    tls: { ...tls, requireClientAuth: true, clientNames: ['allowed'] },
  })
  const withCertificate = async (name: string) => {
    const client = await ca.issue(name, { usage: 'client' })
    const files = { cert: readFileSync(client.cert), key: readFileSync(client.key) }
    return h2Client(t, r.url, { ca: readFileSync(ca.cert), servername: 'localhost', ...files })
  }
  const c = await withCertificate('stranger')
  for (const path of ['/a', '/b']) {
    const a = await exchange(c, { ':path': path })
    t.is(a.status, 403)
    t.regex(String(a.headers['l5d-err']), /stranger/)
  }
  t.is(r.dispatched.length, 0)
  t.is(r.server.counter('tls/client_names_refused').value, 1)
  t.is((await exchange(await withCertificate('allowed'), { ':path': '/' })).status, 200)
})
