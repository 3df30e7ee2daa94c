/**
 * The bound on handshakes in progress (handshake-cap.ts) through `openServerTls`, on real
 * node:tls and node:https servers with certificates made by openssl.
 */
import test, { type ExecutionContext } from 'ava'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { createServer as createHttpsServer, get as httpsGet } from 'node:https'
import type { AddressInfo } from 'node:net'
import { connect as tcpConnect, type Server, type Socket } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { connect as tlsConnect, createServer as createTlsServer } from 'node:tls'
import { eventually } from '../../testing/eventually.js'
import { recordingLog } from '../../testing/recording-log.js'
import { makeCa } from '../../testing/tls/pki.js'
import type { HandshakeCap } from './handshake-cap.js'
import { openServerTls, type ServerTls } from './server.js'

/** The first bytes of a ClientHello, then nothing: a client stalled mid-handshake. */
const PARTIAL_HELLO = Buffer.from([0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc])

interface Capped {
  readonly port: number
  readonly cap: HandshakeCap
  readonly refused: () => number
  readonly ca: string
  readonly tls: ServerTls
}

async function files(t: ExecutionContext): Promise<{ cert: string; key: string; ca: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'handshake-cap-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const ca = await makeCa(dir, 'ca')
  const issued = await ca.issue('server', { dns: ['localhost'] })
  return { ...issued, ca: readFileSync(ca.cert, 'utf8') }
}

/** A TLS server writing "ok" once secure (and keeping the connection), its handshakes capped at `max`. */
async function capped(t: ExecutionContext, max: number, https = false): Promise<Capped> {
  const f = await files(t)
  const config = { certPath: f.cert, keyPath: f.key, requireClientAuth: false }
  const tls = await openServerTls(
    { ...config, protocols: ['TLSv1.2', 'TLSv1.3'], maxConcurrentHandshakes: max },
    recordingLog(),
  )
  const server = https
    ? createHttpsServer(tls.options, (_req, res) => res.end('ok'))
    : createTlsServer(tls.options, (s) => s.write('ok'))
  let refused = 0
  const cap = tls.attach(server, { refused: () => refused++ })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => {
    tls.close()
    ;(server as Server).close()
  })
  const { port } = server.address() as AddressInfo
  return { port, cap, refused: () => refused, ca: f.ca, tls }
}

function raw(t: ExecutionContext, port: number, first?: Buffer | string): Socket {
  const socket = tcpConnect(port, '127.0.0.1', () => {
    if (first !== undefined) socket.write(first)
  })
  socket.on('error', () => undefined)
  t.teardown(() => socket.destroy())
  return socket
}

const closed = (s: Socket): Promise<void> =>
  new Promise((resolve) => (s.destroyed ? resolve() : s.once('close', () => resolve())))

test('over the bound, a new connection is closed at once; the handshakes under way go on', async (t) => {
  const c = await capped(t, 2)
  const stalled = [raw(t, c.port, PARTIAL_HELLO), raw(t, c.port, PARTIAL_HELLO)]
  await eventually('2 handshakes in progress', () => c.cap.inProgress === 2)
  const over = raw(t, c.port, PARTIAL_HELLO)
  await closed(over)
  t.is(c.refused(), 1)
  t.false(
    stalled.some((s) => s.destroyed),
    'the handshakes under way are left alone',
  )
  for (const s of stalled) s.destroy()
  await eventually('the stalled ones released', () => c.cap.inProgress === 0)
  // A slot free again: a real client completes its handshake and is answered; its
  // connection, still open, no longer counts.
  const s = tlsConnect({ port: c.port, host: 'localhost', ca: c.ca })
  t.teardown(() => s.destroy())
  const answer = await new Promise<string>((resolve, reject) => {
    s.setEncoding('utf8')
    s.once('data', (d: string) => resolve(d))
    s.on('error', reject)
  })
  t.is(answer, 'ok')
  t.false(s.destroyed)
  t.is(c.cap.inProgress, 0, 'a secure connection no longer counts')
})

test('a burst of failed and completed handshakes leaves the count at 0 (no leak)', async (t) => {
  const c = await capped(t, 1000)
  const sockets: Socket[] = []
  for (let i = 0; i < 50; i++) {
    sockets.push(raw(t, c.port, 'GET / HTTP/1.1\r\n\r\n')) // plain HTTP: fails at once
    const gone = raw(t, c.port, PARTIAL_HELLO)
    gone.once('connect', () => setTimeout(() => gone.resetAndDestroy(), 20)) // reset mid-way
    sockets.push(gone)
    const wrong = tlsConnect({ port: c.port, host: 'localhost' }) // does not trust the CA
    wrong.on('error', () => undefined)
    sockets.push(wrong)
    const good = tlsConnect({ port: c.port, host: 'localhost', ca: c.ca })
    good.on('error', () => undefined)
    good.once('data', () => good.destroy())
    sockets.push(good)
  }
  await Promise.all(sockets.map(closed))
  await eventually('every handshake released', () => c.cap.inProgress === 0)
  t.is(c.cap.inProgress, 0)
  t.is(c.refused(), 0)
})

test('an https server (the admins, namerd) is capped too, and still answers', async (t) => {
  const c = await capped(t, 1, true)
  const stalled = raw(t, c.port, PARTIAL_HELLO)
  await eventually('1 handshake in progress', () => c.cap.inProgress === 1)
  await closed(raw(t, c.port))
  t.is(c.refused(), 1)
  stalled.destroy()
  await eventually('released', () => c.cap.inProgress === 0)
  const body = await new Promise<string>((resolve, reject) => {
    httpsGet({ host: 'localhost', port: c.port, ca: c.ca, agent: false }, (res) => {
      let text = ''
      res.setEncoding('utf8')
      res.on('data', (d: string) => (text += d))
      res.on('end', () => resolve(text))
    }).on('error', reject)
  })
  t.is(body, 'ok')
})

test('an https server (as namerd and the admins use): a failed handshake is reported and its socket closed', async (t) => {
  const f = await files(t)
  const tls = await openServerTls(
    { certPath: f.cert, keyPath: f.key, requireClientAuth: false, protocols: ['TLSv1.2'] },
    recordingLog(),
  )
  // The handshake limit shortened from 10 s, so that the test does not wait for it.
  const server = createHttpsServer({ ...tls.options, handshakeTimeout: 300 }, (_q, r) => r.end())
  const failures: string[] = []
  tls.attach(server, { failed: (e) => failures.push(e.code ?? '?') })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => {
    tls.close()
    server.close()
  })
  const silent = raw(t, (server.address() as AddressInfo).port, PARTIAL_HELLO)
  await closed(silent)
  t.deepEqual(failures, ['ERR_TLS_HANDSHAKE_TIMEOUT'])
})
