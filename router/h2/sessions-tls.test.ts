import test, { type ExecutionContext } from 'ava'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createServer as createTlsServer, type TLSSocket } from 'node:tls'
import { readPath, type Path } from '../../dtabs/index.js'
import type { ClientTlsConfig } from '../../lib/tls/client-config.js'
import { TlsHandshakeError } from '../core/tls-failure.js'
import type { Endpoint } from '../model.js'
import { makeCa, type Ca, type Issued } from '../../testing/tls/pki.js'
import { eventually } from '../../testing/eventually.js'
import { httpsBackend } from '../../testing/tls/https-backend.js'
import { endpointAt, exchange, h2Endpoint } from '../../testing/h2/upstream.js'
import { H2Sessions } from './sessions.js'
import type { H2Upstream } from './upstream.js'
import type { H2ClientOptions } from './upstream-options.js'

const dir = mkdtempSync(join(tmpdir(), 'h2-tls-'))
test.after.always(() => rmSync(dir, { recursive: true, force: true }))

// One PKI for the file (openssl takes a while).
const pki: Promise<{ ca: Ca; server: Issued; untrusted: Issued }> = (async () => {
  const ca = await makeCa(dir, 'ca')
  const other = await makeCa(dir, 'other-ca')
  return {
    ca,
    server: await ca.issue('x', { dns: ['x.test'], ip: ['127.0.0.1'] }),
    untrusted: await other.issue('stranger', { dns: ['x.test'] }),
  }
})()

/** A TLS h2 endpoint presenting `identity`, answering `:scheme` and the resumption state. */
async function endpoint(t: ExecutionContext, identity: Issued) {
  const tls = { cert: readFileSync(identity.cert), key: readFileSync(identity.key) }
  return h2Endpoint(
    t,
    (stream, headers) => {
      const resumed = (stream.session?.socket as TLSSocket).isSessionReused()
      stream.respond({ ':status': 200 })
      stream.end(`${String(headers[':scheme'])} ${resumed ? 'resumed' : 'new'}`)
    },
    { tls },
  )
}

/** Client settings by client id: each test's clients get their own TLS settings. */
function sessions(t: ExecutionContext, byClient: Record<string, H2ClientOptions>) {
  const s = new H2Sessions({ settingsFor: (id: Path) => byClient[id.join('/')] ?? {} })
  t.teardown(() => s.close())
  return (e: Endpoint, client: string) => s.upstream(e, readPath(`/${client}`))
}

function tls(o: Partial<ClientTlsConfig>): ClientTlsConfig {
  return { enabled: true, disableValidation: false, trustCerts: [], ...o }
}

test('h2 over TLS by ALPN; a second session resumes the TLS session of the first', async (t) => {
  const { ca, server } = await pki
  const e = await endpoint(t, server)
  const clients = {
    a: { tls: tls({ commonName: 'x.test', trustCerts: [ca.cert] }), idleTimeMs: 0 },
  }
  const upstream = sessions(t, clients)(e.endpoint, 'a') as H2Upstream
  const first = await exchange(upstream)
  t.is(first.body.toString(), 'https new')
  // idleTimeMs 0: the session closes after its stream; the next call opens another.
  await eventually('the first session closed', () => upstream.size === 0)
  const second = await exchange(upstream)
  t.is(second.body.toString(), 'https resumed')
  t.is(e.sessions.length, 2)
})

test('each client its own name: a templated commonName the certificate lacks fails, unsent', async (t) => {
  const { ca, server } = await pki
  const e = await endpoint(t, server)
  const upstream = sessions(t, {
    good: { tls: tls({ commonName: 'x.test', trustCerts: [ca.cert] }) },
    bad: { tls: tls({ commonName: 'y.test', trustCerts: [ca.cert] }) },
  })
  t.is((await exchange(upstream(e.endpoint, 'good'))).status, 200)
  const out = await exchange(upstream(e.endpoint, 'bad'))
  t.true(out.error instanceof TlsHandshakeError)
  t.true(out.error?.unsent)
  t.is((out.error as TlsHandshakeError).reason, 'wrong_name')
})

test('an untrusted certificate: TlsHandshakeError, unsent', async (t) => {
  const { ca, untrusted } = await pki
  const e = await endpoint(t, untrusted)
  const upstream = sessions(t, { a: { tls: tls({ commonName: 'x.test', trustCerts: [ca.cert] }) } })
  const out = await exchange(upstream(e.endpoint, 'a'))
  t.true(out.error instanceof TlsHandshakeError)
  t.is(out.error?.code, 'TLS_HANDSHAKE')
  t.is((out.error as TlsHandshakeError).reason, 'untrusted')
  t.true(out.error?.unsent)
})

test('an HTTP/1.1 endpoint refusing ALPN h2 fails clearly, unsent', async (t) => {
  const { ca, server } = await pki
  const b = await httpsBackend(server)
  t.teardown(() => b.close())
  const upstream = sessions(t, { a: { tls: tls({ commonName: 'x.test', trustCerts: [ca.cert] }) } })
  const out = await exchange(upstream(endpointAt(b.port), 'a'))
  t.true(out.error instanceof TlsHandshakeError)
  t.true(out.error?.unsent)
  t.regex(out.error?.message ?? '', /does not speak h2/)
})

test('an endpoint that selects no protocol by ALPN fails clearly, unsent', async (t) => {
  const { ca, server } = await pki
  // A TLS endpoint with no ALPN at all: the handshake succeeds, with no protocol chosen.
  const tlsServer = createTlsServer({
    cert: readFileSync(server.cert),
    key: readFileSync(server.key),
  })
  tlsServer.on('secureConnection', (s) => s.on('error', () => {}))
  await new Promise<void>((r) => tlsServer.listen(0, '127.0.0.1', r))
  t.teardown(() => tlsServer.close())
  const port = (tlsServer.address() as { port: number }).port
  const upstream = sessions(t, { a: { tls: tls({ commonName: 'x.test', trustCerts: [ca.cert] }) } })
  const out = await exchange(upstream(endpointAt(port), 'a'))
  t.true(out.error instanceof TlsHandshakeError)
  t.true(out.error?.unsent)
  t.regex(out.error?.message ?? '', /did not select h2 by ALPN \(it chose none\)/)
})
