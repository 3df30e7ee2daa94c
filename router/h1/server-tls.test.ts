import test, { type ExecutionContext } from 'ava'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import type { AddressInfo, Socket } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { connect, type TLSSocket } from 'node:tls'
import { nullLog } from '../../lib/log.js'
import { openServerTls } from '../../lib/tls/server.js'
import { makeCa, type Ca, type Issued } from '../../testing/tls/pki.js'
import { clientNamesGate } from './client-names.js'
import type { InboundRequest } from './inbound.js'
import { H1Server, type RequestListener } from './server.js'

interface MutualServer {
  readonly ca: Ca
  readonly port: number
  /**
   * Connects with `client`'s certificate (resuming `session` if given), writes `requests`; all
   * the answers' text, the socket and the session the server gave.
   */
  exchange(client: Issued, requests: string, session?: Buffer): Promise<Exchanged>
}

interface Exchanged {
  readonly text: string
  readonly socket: TLSSocket
  readonly session: Buffer | undefined
}

/** An H1Server on loopback whose TLS requires a client certificate of its own new CA. */
async function mutualServer(
  t: ExecutionContext,
  onRequest: RequestListener,
  refuse?: (socket: Socket) => RequestListener | undefined,
): Promise<MutualServer> {
  const dir = mkdtempSync(join(tmpdir(), 'h1-tls-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const ca = await makeCa(dir, 'ca')
  const server = await ca.issue('router', { dns: ['localhost'] })
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
  const options = { maxHeaderBytes: 16_384, tls: tls.options, ...(refuse ? { refuse } : {}) }
  const h1 = new H1Server(options, onRequest)
  await new Promise<void>((r) => h1.server.listen(0, '127.0.0.1', r))
  t.teardown(() => (h1.drain(), h1.destroyAll()))
  const port = (h1.server.address() as AddressInfo).port
  const exchange = async (client: Issued, requests: string, session?: Buffer) => {
    const socket: TLSSocket = connect({
      ...(session === undefined ? {} : { session }),
      port,
      host: '127.0.0.1',
      servername: 'localhost',
      ca: readFileSync(ca.cert),
      cert: readFileSync(client.cert),
      key: readFileSync(client.key),
    })
    t.teardown(() => socket.destroy())
    let given: Buffer | undefined
    socket.on('session', (s: Buffer) => (given = s))
    socket.write(requests)
    let text = ''
    socket.setEncoding('utf8')
    socket.on('data', (d: string) => (text += d))
    await new Promise((r) => socket.once('end', r))
    return { text, socket, session: given }
  }
  return { ca, port, exchange }
}

test('over TLS: requests parsed as on plain sockets, with the client certificate names and address', async (t) => {
  const seen: InboundRequest[] = []
  const s = await mutualServer(t, (req, res) => {
    seen.push(req)
    void req.body.toArray().then((chunks) => res.end(`${req.url} ${Buffer.concat(chunks).length}`))
  })
  const client = await s.ca.issue('payments', {
    usage: 'client',
    dns: ['payments.internal'],
    uri: ['spiffe://example.org/payments'],
  })
  const body = 'x'.repeat(100_000)
  const { text, socket } = await s.exchange(
    client,
    `POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: ${body.length}\r\n\r\n${body}` +
      'GET /b HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
  )
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

test('clientNames: decided once per connection; a refused one gets 403 for each request', async (t) => {
  const refusals: string[][] = []
  const refuse = clientNamesGate(['payments.internal'], (id) => refusals.push([...id]))
  let routed = 0
  const s = await mutualServer(
    t,
    (_req, res) => {
      routed++
      res.end('routed')
    },
    refuse,
  )
  const payments = await s.ca.issue('payments', { usage: 'client', dns: ['payments.internal'] })
  const stranger = await s.ca.issue('stranger', { usage: 'client', dns: ['stranger.internal'] })
  // Two requests on one connection (the first with a body nobody reads), the second closing it.
  const two =
    'POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello' +
    'GET /b HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'
  const allowed = await s.exchange(payments, two)
  const twice = /^HTTP\/1\.1 200 OK\r\n[\s\S]*routedHTTP\/1\.1 200 OK\r\n[\s\S]*routed$/
  t.regex(allowed.text, twice)
  t.is(routed, 2)
  // A resumed session (as the router's pools offer) still carries the client's names.
  const resumed = await s.exchange(payments, two, allowed.session)
  t.true(resumed.socket.isSessionReused())
  t.regex(resumed.text, twice)
  t.is(routed, 4)
  const refused = (await s.exchange(stranger, two)).text
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
  t.is(routed, 4, 'nothing of the refused connection was routed')
  t.deepEqual(refusals, [['stranger', 'stranger.internal']], 'counted once, per connection')
})
