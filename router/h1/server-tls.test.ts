import test from 'ava'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { connect, type TLSSocket } from 'node:tls'
import { nullLog } from '../../lib/log.js'
import { openServerTls } from '../../lib/tls/server.js'
import { makeCa } from '../../testing/tls/pki.js'
import type { InboundRequest } from './inbound.js'
import { H1Server } from './server.js'

test('over TLS: requests parsed as on plain sockets, with the client certificate names and address', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'h1-tls-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const ca = await makeCa(dir, 'ca')
  const server = await ca.issue('router', { dns: ['localhost'] })
  const client = await ca.issue('payments', {
    usage: 'client',
    dns: ['payments.internal'],
    uri: ['spiffe://example.org/payments'],
  })
  const tls = await openServerTls(
    {
      certPath: server.cert,
      keyPath: server.key,
      caCertPath: ca.cert,
      requireClientAuth: true,
      protocols: ['TLSv1.2', 'TLSv1.3'],
    },
    nullLog,
  )
  t.teardown(() => tls.close())
  const seen: InboundRequest[] = []
  const h1 = new H1Server({ maxHeaderBytes: 16_384, tls: tls.options }, (req, res) => {
    seen.push(req)
    void req.body.toArray().then((chunks) => res.end(`${req.url} ${Buffer.concat(chunks).length}`))
  })
  await new Promise<void>((r) => h1.server.listen(0, '127.0.0.1', r))
  t.teardown(() => (h1.drain(), h1.destroyAll()))
  const port = (h1.server.address() as AddressInfo).port
  const socket: TLSSocket = connect({
    port,
    host: '127.0.0.1',
    servername: 'localhost',
    ca: readFileSync(ca.cert),
    cert: readFileSync(client.cert),
    key: readFileSync(client.key),
  })
  t.teardown(() => socket.destroy())
  const body = 'x'.repeat(100_000)
  socket.write(`POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: ${body.length}\r\n\r\n${body}`)
  socket.write('GET /b HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')
  let text = ''
  socket.setEncoding('utf8')
  socket.on('data', (d: string) => (text += d))
  await new Promise((r) => socket.once('end', r))
  t.regex(text, /^HTTP\/1\.1 200 OK\r\n[\s\S]*\r\n\r\n\/a 100000HTTP\/1\.1 200 OK\r\n[\s\S]*\/b 0$/)
  t.is(seen.length, 2)
  t.deepEqual(seen[0]?.peerIdentity, [
    'payments',
    'payments.internal',
    'spiffe://example.org/payments',
  ])
  t.is(seen[0]?.remoteAddress, '127.0.0.1')
  t.is(seen[0]?.remotePort, socket.localPort)
})
