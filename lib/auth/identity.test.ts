import test from 'ava'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { createServer, request } from 'node:https'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Socket } from 'node:net'
import { makeCa, type Ca, type Issued } from '../../testing/tls/pki.js'
import { errorCode } from '../errors.js'
import { BearerGuard } from './bearer.js'
import { IdentityGuard, identityOf } from './identity.js'

const TOKEN = 'id-test-token-81c2'
let dir: string
let ca: Ca
let ops: Issued
let other: Issued
let server: Issued

test.before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'identity-'))
  ca = await makeCa(dir, 'ca')
  server = await ca.issue('namerd', { dns: ['localhost'] })
  ops = await ca.issue('ops', { usage: 'client', uri: ['spiffe://example.org/ops'] })
  other = await ca.issue('other', { usage: 'client', dns: ['other.example'] })
  process.env['IDENTITY_TEST_TOKEN'] = TOKEN
})
test.after.always(() => rm(dir, { recursive: true, force: true }))

/** An https server answering each request with the guard's verdict and the socket's names. */
async function guarded(guard: IdentityGuard) {
  const seen: Array<{ names: readonly string[] | undefined; kept: boolean }> = []
  const s = createServer(
    {
      cert: await readFile(server.cert),
      key: await readFile(server.key),
      ca: await readFile(ca.cert),
      requestCert: true,
      rejectUnauthorized: false,
    },
    (req, res) => {
      const names = identityOf(req.socket as Socket)
      // peerIdentity makes a new array at each call: the same one again means it was kept.
      seen.push({ names, kept: names === identityOf(req.socket as Socket) })
      try {
        res.end(`ok ${guard.check(req.headers.authorization, req.socket as Socket)}`)
      } catch (e) {
        res.end(`${errorCode(e) ?? ''} ${(e as Error).message}`)
      }
    },
  )
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r))
  const port = (s.address() as { port: number }).port
  return { port, seen, close: () => (s.closeAllConnections(), s.close()) }
}

async function ask(port: number, who?: Issued, token?: string): Promise<string> {
  const options = {
    host: '127.0.0.1',
    servername: 'localhost',
    port,
    ca: await readFile(ca.cert),
    agent: false as const,
    ...(who === undefined ? {} : { cert: await readFile(who.cert), key: await readFile(who.key) }),
    headers: token === undefined ? {} : { authorization: `Bearer ${token}` },
  }
  return new Promise((resolve, reject) => {
    const req = request(options, (res) => {
      let body = ''
      res.on('data', (d: Buffer) => (body += d.toString()))
      res.on('end', () => resolve(body))
    })
    req.on('error', reject)
    req.end()
  })
}

test('a certificate name in the list passes; another is 403 naming it; none is 401', async (t) => {
  const s = await guarded(new IdentityGuard(['spiffe://example.org/ops']))
  t.teardown(() => s.close())
  t.is(await ask(s.port, ops), 'ok spiffe://example.org/ops', 'passed as the name it matched')
  t.is(
    await ask(s.port, other),
    "ERR_FORBIDDEN the client certificate's identity (other, other.example) is not in this route's allow-list",
  )
  t.is(
    await ask(s.port),
    'ERR_UNAUTHENTICATED authentication required: present an allowed client certificate',
  )
})

test('beside a token: either passes; a wrong token is refused as a token', async (t) => {
  const token = new BearerGuard({ tokenEnv: 'IDENTITY_TEST_TOKEN' })
  t.teardown(() => token.close())
  const s = await guarded(new IdentityGuard(['ops'], token))
  t.teardown(() => s.close())
  t.is(await ask(s.port, ops), 'ok ops', 'by CN')
  t.is(await ask(s.port, undefined, TOKEN), 'ok token')
  t.is(await ask(s.port, other, TOKEN), 'ok token')
  t.is(
    await ask(s.port, other, 'wrong'),
    'ERR_FORBIDDEN the bearer token given is not accepted here',
  )
  t.regex(await ask(s.port), /^ERR_UNAUTHENTICATED .* or send "Authorization: Bearer <token>"$/)
})

test("a connection's names are read once and kept with its socket", async (t) => {
  const s = await guarded(new IdentityGuard(['ops']))
  t.teardown(() => s.close())
  t.is(await ask(s.port, ops), 'ok ops')
  t.deepEqual(s.seen[0], { names: ['ops', 'spiffe://example.org/ops'], kept: true })
  t.is(identityOf({} as Socket), undefined, 'not a TLS socket: no names')
})
