/**
 * namerctl against a real namerd serving its API over TLS, with a CA and certificates made by
 * openssl (testing/tls/pki.ts): reads and writes over https with `--tls-ca` or the config
 * file's `tls-ca`; refused without the CA (exit 3, saying why); writes let through by the
 * client certificate's name (`identities`), refused (403, exit 10) for a certificate not in the
 * list, and still by token; an interface with `requireClientAuth` refuses a client without a
 * certificate at the handshake.
 */
import test, { type ExecutionContext } from 'ava'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { failsWith, namerctl, printed, show } from '../../testing/namerctl/harness.js'
import { startNamerd, tempDir } from '../../testing/namerd/process.js'
import { makeCa, type Ca, type Issued } from '../../testing/tls/pki.js'

const TOKEN = 'tls-token-5f20c1a9'

interface Setup {
  readonly dir: string
  readonly ca: Ca
  readonly ops: Issued
  readonly intruder: Issued
  readonly base: string
  /** namerd's admin (plain HTTP). */
  readonly admin: string
}

/** namerd over TLS whose writes need the `ops` certificate or the token. */
async function setUp(t: ExecutionContext, requireClientAuth = false): Promise<Setup> {
  const dir = tempDir(t)
  const ca = await makeCa(dir, 'ca')
  const server = await ca.issue('namerd', { dns: ['localhost'] })
  const ops = await ca.issue('ops', { usage: 'client', uri: ['spiffe://example.org/ops'] })
  const intruder = await ca.issue('intruder', { usage: 'client' })
  writeFileSync(join(dir, 'token'), `${TOKEN}\n`)
  const n = await startNamerd(t, dir, {
    storage: { kind: 'io.l5d.inMemory', namespaces: { prod: '/svc => /#/io.l5d.fs;' } },
    interfaces: [
      {
        kind: 'io.l5d.httpController',
        tls: { certPath: server.cert, keyPath: server.key, caCertPath: ca.cert, requireClientAuth },
        auth: {
          writes: { identities: ['spiffe://example.org/ops'], tokenFile: join(dir, 'token') },
        },
      },
    ],
  })
  t.true(n.api.startsWith('https://localhost:'))
  return { dir, ca, ops, intruder, base: n.api, admin: n.admin }
}

const cert = (who: Issued): string[] => ['--tls-cert', who.cert, '--tls-key', who.key]

test('dtab list, get, create and update over https with --tls-ca', async (t) => {
  const s = await setUp(t)
  const at = ['--base-url', s.base, '--tls-ca', s.ca.cert]
  printed(t, await namerctl(['dtab', 'list', ...at]), 'prod\n')
  const get = await namerctl(['dtab', 'get', 'prod', ...at])
  t.is(get.status, 0, show(get))
  t.regex(get.stdout, /\/svc\s+=> \/#\/io\.l5d\.fs ;/, show(get))
  const create = await namerctl(['dtab', 'create', 'web', '-', ...at, ...cert(s.ops)], {
    input: '/svc => /#/io.l5d.fs/web;',
  })
  t.is(create.status, 0, show(create))
  const update = await namerctl(['dtab', 'update', 'web', '-', ...at, ...cert(s.ops)], {
    input: '/svc => /#/io.l5d.fs/web-v2;',
  })
  t.is(update.status, 0, show(update))
  const after = await namerctl(['dtab', 'get', 'web', ...at])
  t.regex(after.stdout, /web-v2/, show(after))
})

test('the config file: base-url, tls-ca, tls-cert and tls-key (relative to the file)', async (t) => {
  const s = await setUp(t)
  writeFileSync(
    join(s.dir, '.namerctl.yaml'),
    `base-url: ${s.base}\ntls-ca: ca.crt\ntls-cert: ops.crt\ntls-key: ops.key\n`,
  )
  const set = await namerctl(['dtab', 'set', 'prod', '/web', '/#/io.l5d.fs/web'], { cwd: s.dir })
  t.is(set.status, 0, show(set))
  const get = await namerctl(['dtab', 'get', 'prod'], { cwd: s.dir })
  t.regex(get.stdout, /\/web\s+=> \/#\/io\.l5d\.fs\/web ;/, show(get))
})

test('without the CA: exit 3 saying the certificate is not trusted', async (t) => {
  const s = await setUp(t)
  const r = await namerctl(['dtab', 'list', '--base-url', s.base])
  failsWith(
    t,
    r,
    3,
    /^cannot reach namerd at https:\/\/localhost:\d+: TLS handshake failed: the certificate is not trusted/,
  )
  const metrics = await (await fetch(`${s.admin}/admin/metrics/prometheus`)).text()
  t.regex(metrics, /^namerd_tls_handshake_failures_total\{code="[A-Z_]+"\} [1-9]/m, metrics)
  const half = await namerctl(['dtab', 'list', '--base-url', s.base, '--tls-cert', s.ops.cert])
  failsWith(t, half, 2, 'give --tls-cert and --tls-key together (or neither)')
  const missing = await namerctl(['dtab', 'list', '--base-url', s.base, '--tls-ca', '/nope.pem'])
  failsWith(t, missing, 2, '--tls-ca /nope.pem: cannot read (ENOENT)')
})

test('writes: an allowed certificate passes, another is refused naming it, a token still works', async (t) => {
  const s = await setUp(t)
  const at = ['--base-url', s.base, '--tls-ca', s.ca.cert]
  const create = (name: string, ...more: string[]) =>
    namerctl(['dtab', 'create', name, '-', ...at, ...more], {
      input: '/svc => /a;',
      env: { NAMERCTL_TOKEN: undefined },
    })
  t.is((await create('a', ...cert(s.ops))).status, 0)
  const refused = await create('b', ...cert(s.intruder))
  failsWith(t, refused, 10, /^namerd refused the token or client certificate given .*intruder/)
  const none = await create('c')
  failsWith(t, none, 10, /^namerd requires a token: .*present an allowed client certificate/)
  const token = join(s.dir, 'token')
  t.is((await create('d', '--token-file', token)).status, 0)
  t.is((await create('e', ...cert(s.intruder), '--token-file', token)).status, 0)
  printed(t, await namerctl(['dtab', 'list', ...at]), 'a\nd\ne\nprod\n')
})

test('requireClientAuth: no client certificate is refused at the handshake; one passes', async (t) => {
  const s = await setUp(t, true)
  const at = ['--base-url', s.base, '--tls-ca', s.ca.cert]
  const r = await namerctl(['dtab', 'list', ...at])
  failsWith(
    t,
    r,
    3,
    /^cannot reach namerd at https:\/\/localhost:\d+: (TLS handshake failed: the endpoint required a client certificate|.*ECONNRESET)/,
  )
  printed(t, await namerctl(['dtab', 'list', ...at, ...cert(s.intruder)]), 'prod\n')
})
