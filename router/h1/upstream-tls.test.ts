import test, { type ExecutionContext } from 'ava'
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { ResponseHandler } from '../core/handler.js'
import { TlsHandshakeError } from '../core/tls-failure.js'
import { makeCa, type Ca, type Issued } from '../../testing/tls/pki.js'
import { httpsBackend, type HttpsBackend } from '../../testing/tls/https-backend.js'
import type { ClientTlsConfig } from '../../lib/tls/client-config.js'
import { H1Pool, type H1PoolOptions } from './pool.js'
import { Pools } from './pools.js'
import { readPath, showPath } from '../../dtabs/index.js'

interface Pki {
  ca: Ca
  server: Issued
  expired: Issued
  untrusted: Issued
  client: Issued
}

const dir = mkdtempSync(join(tmpdir(), 'h1-tls-'))
test.after.always(() => rmSync(dir, { recursive: true, force: true }))

// One PKI for the file (openssl takes a while).
const pki: Promise<Pki> = (async () => {
  const ca = await makeCa(dir, 'ca')
  const other = await makeCa(dir, 'other-ca')
  return {
    ca,
    server: await ca.issue('x', { dns: ['x.test'], ip: ['127.0.0.1'] }),
    expired: await ca.issue('old', { dns: ['x.test'], expired: true }),
    untrusted: await other.issue('stranger', { dns: ['x.test'] }),
    client: await ca.issue('router-a', { usage: 'client' }),
  }
})()

interface Outcome {
  status: number
  body: string
  error?: Error
}

function send(pool: H1Pool): Promise<Outcome> {
  return new Promise((resolve) => {
    const out: Outcome = { status: 0, body: '' }
    const handler: ResponseHandler = {
      onConnect: () => {},
      onHeaders: (status) => ((out.status = status), true),
      onData: (chunk) => ((out.body += chunk.toString()), true),
      onComplete: () => resolve(out),
      onError: (error) => resolve({ ...out, error }),
    }
    const headers = ['host', 'x.test']
    pool.dispatch({ method: 'GET', path: '/', headers, body: null }, handler)
  })
}

async function backend(t: ExecutionContext, identity: Issued, clientCa?: string) {
  const b: HttpsBackend = await httpsBackend(identity, clientCa === undefined ? {} : { clientCa })
  t.teardown(() => b.close())
  return b
}

function pool(
  t: ExecutionContext,
  port: number,
  tls: Partial<ClientTlsConfig>,
  o: H1PoolOptions = {},
) {
  const settings: ClientTlsConfig = {
    enabled: true,
    disableValidation: false,
    trustCerts: [],
    ...tls,
  }
  const p = new H1Pool('127.0.0.1', port, { ...o, tls: settings })
  t.teardown(() => p.close())
  return p
}

test('an exchange over TLS; keep-alive reuses the one TLS connection', async (t) => {
  const { ca, server } = await pki
  const b = await backend(t, server)
  const p = pool(t, b.port, { commonName: 'x.test', trustCerts: [ca.cert] })
  t.like(await send(p), { status: 200, body: 'hello anonymous' })
  t.like(await send(p), { status: 200, body: 'hello anonymous' })
  t.is(b.resumed.length, 1)
})

test('an IP literal as commonName is checked against the certificate (no SNI)', async (t) => {
  const { ca, server } = await pki
  const b = await backend(t, server)
  const p = pool(t, b.port, { commonName: '127.0.0.1', trustCerts: [ca.cert] })
  t.like(await send(p), { status: 200 })
})

test('a second connection resumes the TLS session of the first', async (t) => {
  const { ca, server } = await pki
  const b = await backend(t, server)
  // idleTimeMs 0: each connection closes after its exchange.
  const p = pool(t, b.port, { commonName: 'x.test', trustCerts: [ca.cert] }, { idleTimeMs: 0 })
  t.like(await send(p), { status: 200 })
  t.like(await send(p), { status: 200 })
  t.deepEqual(b.resumed, [false, true])
})

test('clientAuth presents the client certificate to an endpoint that requires one', async (t) => {
  const { ca, server, client } = await pki
  const b = await backend(t, server, ca.cert)
  const auth = { certPath: client.cert, keyPath: client.key }
  const p = pool(t, b.port, { commonName: 'x.test', trustCerts: [ca.cert], clientAuth: auth })
  t.like(await send(p), { status: 200, body: 'hello router-a' })
})

const failures: readonly [string, (k: Pki) => Issued, Partial<ClientTlsConfig>, string, RegExp][] =
  [
    [
      'expired',
      (k) => k.expired,
      { commonName: 'x.test' },
      'expired',
      /has expired.*CERT_HAS_EXPIRED/,
    ],
    ['untrusted', (k) => k.untrusted, { commonName: 'x.test' }, 'untrusted', /not trusted/],
    [
      'wrong name',
      (k) => k.server,
      { commonName: 'y.test' },
      'wrong_name',
      /expected name "y\.test"/,
    ],
  ]

for (const [name, identity, tls, reason, message] of failures) {
  test(`handshake failure, ${name}: unsent, with its reason`, async (t) => {
    const k = await pki
    const b = await backend(t, identity(k))
    const p = pool(t, b.port, { trustCerts: [k.ca.cert], ...tls })
    const { error } = await send(p)
    t.true(error instanceof TlsHandshakeError, String(error))
    const e = error as TlsHandshakeError
    t.like(e, { code: 'TLS_HANDSHAKE', reason, unsent: true })
    t.regex(e.message, message)
    t.regex(e.message, new RegExp(`127\\.0\\.0\\.1:${b.port}`))
    t.is(b.resumed.length, 0, 'no connection reached the server application')
  })
}

test('handshake failure: an endpoint that requires a client certificate, none given', async (t) => {
  const { ca, server } = await pki
  const b = await backend(t, server, ca.cert)
  const p = pool(t, b.port, { commonName: 'x.test', trustCerts: [ca.cert] })
  const { error, status } = await send(p)
  t.is(status, 0)
  t.like(error, { code: 'TLS_HANDSHAKE', reason: 'client_cert_refused', unsent: true })
  t.regex(error?.message ?? '', /required a client certificate/)
})

test('an endpoint that closes at once after the handshake refused our certificate', async (t) => {
  const { ca, server, untrusted } = await pki
  // Node's server checks a client certificate after the handshake and closes without a word.
  const b = await backend(t, server, ca.cert)
  const auth = { certPath: untrusted.cert, keyPath: untrusted.key }
  const p = pool(t, b.port, { commonName: 'x.test', trustCerts: [ca.cert], clientAuth: auth })
  const { error } = await send(p)
  // Not sent again: the endpoint might also have failed the request itself.
  t.like(error, { code: 'TLS_HANDSHAKE', reason: 'client_cert_refused', unsent: false })
  t.regex(error?.message ?? '', /CLOSED_AFTER_HANDSHAKE/)
})

test('disableValidation accepts any certificate under any name', async (t) => {
  const { untrusted } = await pki
  const b = await backend(t, untrusted)
  const p = pool(t, b.port, { disableValidation: true, commonName: 'nothing.like.it' })
  t.like(await send(p), { status: 200 })
})

test('clients with the same TLS settings share pools; other settings or none do not', async (t) => {
  const { ca, server } = await pki
  const b = await backend(t, server)
  const x: ClientTlsConfig = {
    enabled: true,
    disableValidation: false,
    trustCerts: [ca.cert],
    commonName: 'x.test',
  }
  const settings: Record<string, H1PoolOptions> = {
    '/a': { tls: x },
    '/b': { tls: { ...x } },
    '/c': { tls: { ...x, commonName: 'y.test' } },
    '/d': {},
  }
  const pools = new Pools({ settingsFor: (id) => settings[showPath(id)] ?? {} })
  t.teardown(() => pools.close())
  const e = { key: `127.0.0.1:${b.port}`, host: '127.0.0.1', port: b.port, weight: 1, pending: 0 }
  const [a, bb, c, d] = ['/a', '/b', '/c', '/d'].map((id) => pools.upstream(e, readPath(id)))
  t.is(a, bb)
  t.not(a, c)
  t.not(a, d)
  t.like(await send(a as H1Pool), { status: 200 })
  t.like(await send(c as H1Pool), { error: { code: 'TLS_HANDSHAKE' } })
})

test("templated names share their files' context: no file read for a new name, nor a pool made again", async (t) => {
  const { ca, server } = await pki
  const b = await backend(t, server)
  const trust = join(mkdtempSync(join(dir, 'trust-')), 'ca.pem')
  copyFileSync(ca.cert, trust)
  // As a `commonName: "{name}"` template fills it in: one name per bound id, the same files.
  const pools = new Pools({
    capacity: 1,
    settingsFor: (id) => ({
      tls: { enabled: true, disableValidation: false, trustCerts: [trust], commonName: id[0] },
    }),
  })
  t.teardown(() => pools.close())
  const e = { key: `127.0.0.1:${b.port}`, host: '127.0.0.1', port: b.port, weight: 1, pending: 0 }
  t.like(await send(pools.upstream(e, ['x.test'])), { status: 200 })
  rmSync(trust)
  // Another name evicts the first pool (capacity 1), its settings with it; neither reads `trust`.
  t.like(await send(pools.upstream(e, ['127.0.0.1'])), { status: 200 })
  t.like(await send(pools.upstream(e, ['x.test'])), { status: 200 })
})

test('the connect timeout covers the handshake: a silent endpoint fails it, unsent', async (t) => {
  const silent = createServer((s) => s.on('error', () => undefined))
  await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r))
  t.teardown(() => silent.close())
  const { port } = silent.address() as { port: number }
  const p = pool(t, port, { commonName: 'x.test' }, { connectTimeoutMs: 300 })
  const started = performance.now()
  const { error } = await send(p)
  t.like(error, { code: 'ETIMEDOUT', unsent: true })
  t.regex(error?.message ?? '', /TLS handshake not done within 300 ms/)
  t.true(performance.now() - started < 10_000, 'no hang')
})
