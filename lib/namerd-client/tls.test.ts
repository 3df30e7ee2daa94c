import test from 'ava'
import { X509Certificate } from 'node:crypto'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { createServer } from 'node:https'
import { join } from 'node:path'
import { createSecureContext } from 'node:tls'
import { httpsBackend } from '../../testing/tls/https-backend.js'
import { makeCa, type Ca, type Issued } from '../../testing/tls/pki.js'
import { send, UnreachableError } from './request.js'
import type { NamerdTls } from './tls.js'
import { NamerdWatch } from './watch.js'

let dir: string
let ca: Ca
let server: Issued
let client: Issued
let stranger: Ca

test.before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'namerd-client-tls-'))
  ca = await makeCa(dir, 'ca')
  stranger = await makeCa(dir, 'stranger')
  server = await ca.issue('namerd', { dns: ['localhost'] })
  client = await ca.issue('namerctl', { usage: 'client' })
})
test.after.always(() => rm(dir, { recursive: true, force: true }))

async function tlsOf(caFile: string, o: Partial<NamerdTls> & { me?: Issued } = {}) {
  const me = o.me
  const context = createSecureContext({
    ca: await readFile(caFile),
    ...(me === undefined ? {} : { cert: await readFile(me.cert), key: await readFile(me.key) }),
  })
  return { context, ...(o.name === undefined ? {} : { name: o.name }) }
}

test('send() speaks TLS with the CA given, and presents the client certificate', async (t) => {
  const backend = await httpsBackend(server, { clientCa: ca.cert })
  t.teardown(() => backend.close())
  const url = `https://localhost:${backend.port}/`
  const reply = await send({ url, timeoutMs: 5000, tls: await tlsOf(ca.cert, { me: client }) })
  t.is(reply.status, 200)
  t.is(reply.body, 'hello namerctl')
})

test('handshake failures are unreachable errors naming the reason', async (t) => {
  const backend = await httpsBackend(server, { clientCa: ca.cert })
  t.teardown(() => backend.close())
  const at = (host: string): string => `https://${host}:${backend.port}/`
  const cases: Array<[string, NamerdTls, RegExp]> = [
    [
      at('localhost'),
      await tlsOf(stranger.cert, { me: client }),
      /certificate is not trusted \(not signed by a trusted CA\) \([A-Z_]+\)$/,
    ],
    [
      at('127.0.0.1'),
      await tlsOf(ca.cert, { me: client, name: 'wrong.test' }),
      /does not match the expected name \(ERR_TLS_CERT_ALTNAME_INVALID: .*wrong\.test/,
    ],
  ]
  for (const [url, tls, reason] of cases) {
    const e = await t.throwsAsync(send({ url, timeoutMs: 5000, tls }), {
      instanceOf: UnreachableError,
    })
    t.regex(e?.message ?? '', /^namerd at .* is unreachable: TLS handshake failed: /)
    t.regex(e?.message ?? '', reason)
  }
})

/** An https server that streams one JSON line and stays open (a namerd watch). */
async function streamServer(requireClient: boolean): Promise<{ port: number; close(): void }> {
  const s = createServer(
    {
      cert: await readFile(server.cert),
      key: await readFile(server.key),
      ...(requireClient ? { ca: await readFile(ca.cert), requestCert: true } : {}),
      rejectUnauthorized: requireClient,
    },
    (_req, res) => res.write('{"n":1}\n'),
  )
  s.on('tlsClientError', () => undefined)
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r))
  const port = (s.address() as { port: number }).port
  return { port, close: () => (s.closeAllConnections(), s.close()) }
}

function watchOnce(port: number, tls: NamerdTls | undefined): Promise<unknown> {
  return new Promise((resolve) => {
    const w = new NamerdWatch({
      url: `https://localhost:${port}/api/1/dtabs/x?watch=true`,
      tls,
      retry: { baseMs: 10, maxMs: 10 },
      retryIf: () => false,
      onValue: (doc) => (w.close(), resolve(doc)),
      onGiveUp: (f) => resolve(f.reason),
    })
  })
}

test('a watch stream over TLS delivers documents; refusals are in words', async (t) => {
  const open = await streamServer(false)
  t.teardown(() => open.close())
  t.deepEqual(await watchOnce(open.port, await tlsOf(ca.cert)), { n: 1 })
  // Node's default trust (no CA given) refuses the test CA's certificate.
  t.regex(
    String(await watchOnce(open.port, undefined)),
    /TLS handshake failed: the certificate is not trusted/,
  )
  const mutual = await streamServer(true)
  t.teardown(() => mutual.close())
  t.deepEqual(await watchOnce(mutual.port, await tlsOf(ca.cert, { me: client })), { n: 1 })
  t.regex(
    String(await watchOnce(mutual.port, await tlsOf(ca.cert))),
    /TLS handshake failed: the endpoint required a client certificate, or refused ours|ECONNRESET/,
  )
})

test('a context that changes (files rotated) is presented by the next connection, not a pooled one', async (t) => {
  const backend = await httpsBackend(server, { clientCa: ca.cert })
  t.teardown(() => backend.close())
  const url = `https://localhost:${backend.port}/`
  const next = await ca.issue('namerctl-2', { usage: 'client' })
  let context = (await tlsOf(ca.cert, { me: client })).context
  const tls: NamerdTls = {
    get context() {
      return context
    },
  }
  const serialOf = async (c: Issued): Promise<string> =>
    new X509Certificate(await readFile(c.cert)).serialNumber
  const [first, second] = [await serialOf(client), await serialOf(next)]
  t.is((await send({ url, timeoutMs: 5000, tls })).status, 200)
  t.is((await send({ url, timeoutMs: 5000, tls })).status, 200)
  // Whether the second request reused the first's connection depends on when the agent got the
  // socket back (Node 26 may not yet have): either way every connection so far was the first's.
  t.true(
    backend.clientSerials.every((s) => s === first),
    backend.clientSerials.join(),
  )
  context = (await tlsOf(ca.cert, { me: next })).context
  t.is((await send({ url, timeoutMs: 5000, tls })).status, 200)
  // A pooled connection would have shown no new certificate: the last one seen is the new one.
  t.is(backend.clientSerials.at(-1), second, backend.clientSerials.join())
})
