import test from 'ava'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { connect } from 'node:tls'
import { nullLog } from '../../lib/log.js'
import { openServerTls } from '../../lib/tls/server.js'
import { makeCa, type Issued } from '../../testing/tls/pki.js'
import { clientNamesGate } from './client-names.js'
import { H1Server } from './server.js'

test('clientNames: decided once per connection; a refused one gets 403 for each request', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'h1-names-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const ca = await makeCa(dir, 'ca')
  const server = await ca.issue('router', { dns: ['localhost'] })
  const payments = await ca.issue('payments', { usage: 'client', dns: ['payments.internal'] })
  const stranger = await ca.issue('stranger', { usage: 'client', dns: ['stranger.internal'] })
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
  const refusals: string[][] = []
  const refuse = clientNamesGate(['payments.internal'], (id) => refusals.push([...id]))
  let routed = 0
  const h1 = new H1Server({ maxHeaderBytes: 16_384, tls: tls.options, refuse }, (_req, res) => {
    routed++
    res.end('routed')
  })
  await new Promise<void>((r) => h1.server.listen(0, '127.0.0.1', r))
  t.teardown(() => (h1.drain(), h1.destroyAll()))
  const port = (h1.server.address() as AddressInfo).port
  /** Two requests on one connection (the second closes it); the whole answer text. */
  const twoRequests = async (client: Issued): Promise<string> => {
    const socket = connect({
      port,
      host: '127.0.0.1',
      servername: 'localhost',
      ca: readFileSync(ca.cert),
      cert: readFileSync(client.cert),
      key: readFileSync(client.key),
    })
    t.teardown(() => socket.destroy())
    socket.write('POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello')
    socket.write('GET /b HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')
    let text = ''
    socket.setEncoding('utf8')
    socket.on('data', (d: string) => (text += d))
    await new Promise((r) => socket.once('end', r))
    return text
  }
  const allowed = await twoRequests(payments)
  t.regex(allowed, /^HTTP\/1\.1 200 OK\r\n[\s\S]*routedHTTP\/1\.1 200 OK\r\n[\s\S]*routed$/)
  t.is(routed, 2)
  const refused = await twoRequests(stranger)
  const answers = refused.split(/(?=HTTP\/1\.1 )/)
  t.is(answers.length, 2, refused)
  for (const answer of answers) {
    t.regex(answer, /^HTTP\/1\.1 403 Forbidden\r\n/)
    t.regex(
      answer,
      /\r\nl5d-err: client\+certificate\+%28%22stranger%22%2C\+%22stranger.internal%22%29/,
    )
    t.regex(answer, /none of its names is in this server's tls.clientNames\n$/)
  }
  t.is(routed, 2, 'nothing of the refused connection was routed')
  t.deepEqual(refusals, [['stranger', 'stranger.internal']], 'counted once, per connection')
})
