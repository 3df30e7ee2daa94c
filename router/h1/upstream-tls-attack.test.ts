/**
 * Attacks on the router's client TLS (issue 15): `protocols` listed in another order, and
 * thousands of distinct templated `commonName`s (one per bound id), each of which read the
 * trust files again and kept a secure context for ever. Real sockets, openssl-made certificates.
 */
import test from 'ava'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createServer, type TLSSocket } from 'node:tls'
import type { ClientTlsConfig } from '../../lib/tls/client-config.js'
import { makeCa } from '../../testing/tls/pki.js'
import { Pools } from './pools.js'
import { TlsDialer } from '../net/upstream-tls.js'
import { upstreamTls } from '../net/upstream-tls-files.js'

const dir = mkdtempSync(join(tmpdir(), 'h1-tls-attack-'))
test.after.always(() => rmSync(dir, { recursive: true, force: true }))

test('protocols [TLSv1.3, TLSv1.2] (newest first) still allows both versions', async (t) => {
  const ca = await makeCa(dir, 'ca-order')
  const server = await ca.issue('order', { dns: ['localhost'] })
  const tls = createServer({ cert: readFileSync(server.cert), key: readFileSync(server.key) })
  tls.on('secureConnection', (s: TLSSocket) => s.end())
  await new Promise<void>((resolve) => tls.listen(0, '127.0.0.1', resolve))
  t.teardown(() => tls.close())
  const settings: ClientTlsConfig = {
    enabled: true,
    disableValidation: false,
    commonName: 'localhost',
    trustCerts: [ca.cert],
    protocols: ['TLSv1.3', 'TLSv1.2'],
  }
  const dialer = new TlsDialer(
    upstreamTls(settings),
    '127.0.0.1',
    (tls.address() as { port: number }).port,
  )
  const socket = dialer.connect()
  const outcome = await new Promise<string>((resolve) => {
    socket.once('secureConnect', () => resolve(`connected ${socket.getProtocol() ?? ''}`))
    socket.once('error', (e: NodeJS.ErrnoException) => resolve(`failed ${e.code ?? e.message}`))
  })
  socket.destroy()
  // The config reads the list as a set (lib/tls/client-config.ts); min/max came from its order.
  t.is(outcome, 'connected TLSv1.3')
})

test('distinct templated commonNames keep a bounded number of TLS settings', (t) => {
  const capacity = 50
  const pools = new Pools({
    capacity,
    settingsFor: (id) => ({
      tls: {
        enabled: true,
        disableValidation: false,
        trustCerts: [],
        commonName: `${id[1] ?? ''}.example.com`,
      },
    }),
  })
  // Each bound id `/svc/<name>` of a client `prefix: /svc/{name}` gets its own commonName.
  for (let i = 0; i < 2000; i++) {
    pools.upstream({ host: '127.0.0.1', port: 1, key: '127.0.0.1:1' } as never, ['svc', `s${i}`])
  }
  // At most `capacity` pools live; each set of TLS settings (a secure context made from files
  // read on the request path, about 20 KB of native memory) should go with its last pool.
  const kept = pools.settingsKept
  t.true(kept <= capacity, `${kept} sets of TLS settings kept for ${capacity} pools`)
})

test('clientAuth with a key of another type than its certificate is refused at start', async (t) => {
  const ca = await makeCa(dir, 'ca-mismatch')
  const rsa = await ca.issue('client-rsa', { usage: 'client', keyType: 'rsa' })
  const ec = await ca.issue('client-ec', { usage: 'client' })
  const settings: ClientTlsConfig = {
    enabled: true,
    disableValidation: false,
    commonName: 'localhost',
    trustCerts: [],
    clientAuth: { certPath: rsa.cert, keyPath: ec.key },
  }
  // OpenSSL keeps an RSA certificate and an EC key side by side without complaint (the server
  // side compares them, lib/tls/reloading.ts); then no handshake can present the certificate.
  const error = t.throws(() => upstreamTls(settings, 'routers[0].client.tls'))
  t.regex(error?.message ?? '', /clientAuth|key/)
})
