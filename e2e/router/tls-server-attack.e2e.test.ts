/**
 * Attacks on a router server's TLS (issue 15), with the real router, real sockets and
 * certificates made by openssl: clients that stall in the handshake, speak plain HTTP to the
 * TLS port, or finish the handshake and then misbehave at the HTTP layer.
 */
import test, { type ExecutionContext } from 'ava'
import { copyFileSync, readFileSync } from 'node:fs'
import { connect as tcpConnect, type Socket } from 'node:net'
import { join } from 'node:path'
import { connect as tlsConnect } from 'node:tls'
import { makeCa } from '../../testing/tls/pki.js'
import {
  adminMetrics,
  backend,
  startRouter,
  tempDir,
  type RunningRouter,
} from '../../testing/router/process.js'

interface Setup {
  readonly dir: string
  readonly caPem: string
  readonly config: Record<string, unknown>
}

/** A CA, a certificate for localhost, a backend, and a router config serving TLS on it. */
async function setUp(t: ExecutionContext, server: Record<string, unknown> = {}): Promise<Setup> {
  const dir = tempDir(t)
  const ca = await makeCa(dir, 'ca')
  const issued = await ca.issue('router', { dns: ['localhost'], ip: ['127.0.0.1'] })
  const certPath = join(dir, 'live.crt')
  const keyPath = join(dir, 'live.key')
  copyFileSync(issued.cert, certPath)
  copyFileSync(issued.key, keyPath)
  const web = await backend(t, 'web')
  const config = {
    routers: [
      {
        protocol: 'http',
        dtab: `/svc/web => /$/inet/127.0.0.1/${web.port}`,
        servers: [{ tls: { certPath, keyPath }, ...server }],
      },
    ],
  }
  return { dir, caPem: readFileSync(ca.cert, 'utf8'), config }
}

/** Resolves with the ms until `socket` closes, or undefined if it is still open after `ms`. */
function closedWithin(socket: Socket, ms: number): Promise<number | undefined> {
  const start = Date.now()
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(undefined), ms)
    socket.on('error', () => undefined)
    socket.once('close', () => {
      clearTimeout(timer)
      resolve(Date.now() - start)
    })
  })
}

function rawConnect(t: ExecutionContext, port: number, first?: Buffer | string): Socket {
  const socket = tcpConnect(port, '127.0.0.1', () => {
    if (first !== undefined) socket.write(first)
  })
  // A connection the server refuses (too many handshakes in progress) may be reset.
  socket.on('error', () => undefined)
  t.teardown(() => socket.destroy())
  return socket
}

async function tlsFailures(r: RunningRouter, reason: string): Promise<number> {
  const m = await adminMetrics(r)
  return m[`rt/http/server/127.0.0.1/${r.port}/tls/handshake_failures/${reason}`] ?? 0
}

/** The first bytes of a TLS ClientHello record, then nothing: a client stalled mid-handshake. */
const PARTIAL_HELLO = Buffer.from([0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc])

test('a client silent or stalled mid-handshake is disconnected by the 10 s handshake limit', async (t) => {
  t.timeout(60_000)
  const s = await setUp(t)
  const r = await startRouter(t, s.dir, s.config)
  const silent = rawConnect(t, r.port)
  const stalled = rawConnect(t, r.port, PARTIAL_HELLO)
  // docs/tls.md: "A TLS handshake must complete within 10 s". 25 s is a loose bound.
  const [silentMs, stalledMs] = await Promise.all([
    closedWithin(silent, 25_000),
    closedWithin(stalled, 25_000),
  ])
  t.is(await tlsFailures(r, 'ERR_TLS_HANDSHAKE_TIMEOUT'), 2, 'both timeouts are counted')
  t.not(silentMs, undefined, 'the silent client is still connected after 25 s')
  t.not(stalledMs, undefined, 'the stalled client is still connected after 25 s')
})

test('SIGTERM stops the router promptly while a client stalls mid-handshake', async (t) => {
  t.timeout(60_000)
  const s = await setUp(t)
  const r = await startRouter(t, s.dir, s.config)
  const stalled = rawConnect(t, r.port, PARTIAL_HELLO)
  await new Promise((res) => setTimeout(res, 300))
  const start = Date.now()
  const exited = r.stop()
  const code = await Promise.race([
    exited,
    new Promise<'hung'>((res) => setTimeout(() => res('hung'), 30_000)),
  ])
  // The default shutdown grace is 10 s; a handshake in progress holds no request.
  t.is(code, 0, `still running ${Date.now() - start} ms after SIGTERM`)
  stalled.destroy()
})

test('plain HTTP to a TLS port fails at once and is counted (ERR_SSL_HTTP_REQUEST)', async (t) => {
  const s = await setUp(t)
  const r = await startRouter(t, s.dir, s.config)
  const plain = rawConnect(t, r.port, 'GET / HTTP/1.1\r\nhost: web\r\n\r\n')
  t.not(await closedWithin(plain, 5000), undefined)
  t.is(await tlsFailures(r, 'ERR_SSL_HTTP_REQUEST'), 1)
})

test('over TLS, the HTTP limits still apply: head timeout and head size', async (t) => {
  const s = await setUp(t, { headTimeoutMs: 500 })
  const r = await startRouter(t, s.dir, s.config)
  const answer = async (write: string): Promise<string> => {
    const socket = tlsConnect({ port: r.port, host: 'localhost', ca: s.caPem }, () =>
      socket.write(write),
    )
    t.teardown(() => socket.destroy())
    let text = ''
    socket.setEncoding('utf8')
    socket.on('data', (d: string) => (text += d))
    await closedWithin(socket as unknown as Socket, 10_000)
    return text
  }
  const [late, large] = await Promise.all([
    answer('GET / HTTP/1.1\r\n'),
    answer(`GET / HTTP/1.1\r\nhost: web\r\nx-big: ${'a'.repeat(20_000)}\r\n\r\n`),
  ])
  t.regex(late, /^HTTP\/1\.1 408 /)
  t.regex(large, /^HTTP\/1\.1 431 /)
})

test('TLS 1.2 client-initiated renegotiation is not unlimited (each one is a full handshake)', async (t) => {
  const s = await setUp(t)
  const r = await startRouter(t, s.dir, s.config)
  const socket = tlsConnect({ port: r.port, host: 'localhost', ca: s.caPem, maxVersion: 'TLSv1.2' })
  t.teardown(() => socket.destroy())
  socket.on('error', () => undefined)
  await new Promise((res) => socket.once('secureConnect', res))
  /** One renegotiation: true when done, false when refused, cut, or unanswered for 5 s. */
  const renegotiate = (): Promise<boolean> =>
    new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), 5000)
      socket.once('close', () => resolve(false))
      const sent = socket.renegotiate({}, (err) => {
        clearTimeout(timer)
        resolve(err === null)
      })
      if (!sent) resolve(false)
    })
  let done = 0
  while (done < 20 && (await renegotiate())) done++
  // Node's own limit (tls.CLIENT_RENEG_LIMIT) is 3 per 10 minutes; none at all is better.
  t.true(done <= 3, `${done} renegotiations in a row were served`)
})

test('thousands of clients stalled mid-handshake are not all held (each costs about 55 KB)', async (t) => {
  t.timeout(60_000)
  const s = await setUp(t)
  const r = await startRouter(t, s.dir, s.config)
  const sockets = Array.from({ length: 3000 }, () => rawConnect(t, r.port, PARTIAL_HELLO))
  // Under load (the whole suite on 2 cores) opening 3,000 sockets can take this process
  // seconds, and a timer due by then fires before the closes already received are handled:
  // wait for every socket to connect (or close), then for the closes, for at most 5 s (a stalled
  // handshake is held 10 s: without a bound, all 3,000 are still held then).
  await Promise.all(
    sockets.map((socket) => new Promise((res) => socket.once('ready', res).once('close', res))),
  )
  const isHeld = (socket: Socket): boolean => !socket.destroyed
  const deadline = Date.now() + 5000
  while (sockets.filter(isHeld).length > 1024 && Date.now() < deadline)
    await new Promise((res) => setTimeout(res, 100))
  const held = sockets.filter(isHeld).length
  // 1,024 is tls.maxConcurrentHandshakes' default (as the pools' maxSize). Measured without it: 3,000 stalled handshakes add ~165 MB of RSS,
  // held for the 10 s handshake limit, so 1,000 connections a second hold ~550 MB.
  t.true(held <= 1024, `${held} handshakes in progress held at once`)
  // The connections closed over the bound (tls.maxConcurrentHandshakes) are counted.
  const m = await adminMetrics(r)
  const scope = `rt/http/server/127.0.0.1/${r.port}/tls`
  t.true((m[`${scope}/handshakes_refused`] ?? 0) >= 1000, 'refusals counted')
  t.true((m[`${scope}/handshakes_in_progress`] ?? Infinity) <= 1024, 'in progress shown')
})

test('SIGTERM: a connection whose handshake ends during the shutdown does not outlast the grace', async (t) => {
  t.timeout(60_000)
  const s = await setUp(t)
  const r = await startRouter(t, s.dir, s.config)
  const socket = rawConnect(t, r.port)
  await new Promise((res) => socket.once('connect', res))
  const exited = r.stop()
  await new Promise((res) => setTimeout(res, 200))
  const secured = tlsConnect({ socket, servername: 'localhost', ca: s.caPem })
  secured.on('error', () => undefined)
  t.teardown(() => secured.destroy())
  await new Promise((res) => secured.once('secureConnect', res))
  // The grace is 10 s (admin.shutdownGraceMs); the connection, idle, is held until its idle
  // timeout (65 s): it was accepted after the server drained, so nothing drains it.
  const code = await Promise.race([
    exited,
    new Promise<'hung'>((res) => setTimeout(() => res('hung'), 30_000)),
  ])
  t.is(code, 0, 'still running 30 s after SIGTERM')
})
