import test, { type ExecutionContext } from 'ava'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { request as httpsRequest } from 'node:https'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { BearerGuard } from '../lib/auth/bearer.js'
import { memoryContext } from '../testing/namerd/memory-context.js'
import { makeCa } from '../testing/tls/pki.js'
import type { ApiContext } from './api/context.js'
import { redactSecrets, startNamerdAdmin } from './admin.js'
import { NamerdMetrics } from './metrics.js'

function httpsGet(port: number, path: string, ca: Buffer): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      { host: '127.0.0.1', port, path, ca, servername: 'localhost' },
      (res) => {
        let body = ''
        res.setEncoding('utf8')
        res.on('data', (d: string) => (body += d))
        res.on('end', () => resolve(body))
      },
    )
    req.on('error', reject)
    req.end()
  })
}

test('admin.tls: namerd admin over HTTPS only; config.json shows no key', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'namerd-admin-tls-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const ca = await makeCa(dir, 'ca')
  const cert = await ca.issue('namerd', { dns: ['localhost'] })
  const tls = {
    certPath: cert.cert,
    keyPath: cert.key,
    requireClientAuth: false,
    protocols: ['TLSv1.3'] as const,
  }
  const admin = await startNamerdAdmin({
    ip: '127.0.0.1',
    port: 0,
    isReady: () => true,
    metrics: new NamerdMetrics(() => true, { defaultMetrics: false }),
    config: { admin: { tls: { certPath: cert.cert, keyPath: cert.key } } },
    shutdown: () => undefined,
    tls,
  })
  t.teardown(() => admin.close())
  const caPem = readFileSync(ca.cert)
  t.is(await httpsGet(admin.port, '/admin/ping', caPem), 'pong')
  const config = await httpsGet(admin.port, '/config.json', caPem)
  t.true(config.includes(JSON.stringify(cert.cert)), config)
  t.false(config.includes('BEGIN'), config)
  await t.throwsAsync(fetch(`http://127.0.0.1:${admin.port}/admin/ping`))
})

test('config.json: token settings are shown (paths and names), credentials are redacted', (t) => {
  const config = {
    admin: { auth: { control: { tokenFile: '/etc/namerd/admin-token' } } },
    storage: {
      kind: 'io.l5d.zk',
      authInfo: { scheme: 'digest', auth: 'user:pw' },
      password: 'etcd-pw',
    },
    interfaces: [{ kind: 'io.l5d.httpController', auth: { writes: { tokenEnv: 'NAMERD_TOKEN' } } }],
    zk: { auth: 'user:secret' },
  }
  t.deepEqual(redactSecrets(config), {
    admin: { auth: { control: { tokenFile: '/etc/namerd/admin-token' } } },
    storage: { kind: 'io.l5d.zk', authInfo: '<redacted>', password: '<redacted>' },
    interfaces: [{ kind: 'io.l5d.httpController', auth: { writes: { tokenEnv: 'NAMERD_TOKEN' } } }],
    zk: { auth: '<redacted>' },
  })
})

/** The admin with the API of `api` mounted for its page, on `ip`. */
async function adminWithApi(t: ExecutionContext, api: ApiContext, ip = '127.0.0.1') {
  const admin = await startNamerdAdmin({
    ip,
    port: 0,
    isReady: () => true,
    metrics: new NamerdMetrics(() => true, { defaultMetrics: false }),
    config: {},
    shutdown: () => undefined,
    api,
  })
  t.teardown(() => admin.close())
  return `http://${ip.includes(':') ? `[${ip}]` : ip}:${admin.port}`
}

const put = (base: string, body: string, headers: Record<string, string> = {}) =>
  fetch(`${base}/api/1/dtabs/shop`, {
    method: 'PUT',
    headers: { 'content-type': 'application/dtab', ...headers },
    body,
  })

test("the API's routes on the admin, for its page: same answers, same guard as the API", async (t) => {
  process.env['NAMERD_ADMIN_TEST_TOKEN'] = 'the-writes-token'
  const writes = new BearerGuard({ tokenEnv: 'NAMERD_ADMIN_TEST_TOKEN' })
  t.teardown(() => writes.close())
  const api = { ...memoryContext({ shop: '/svc=>/a' }), auth: { writes } }
  const base = await adminWithApi(t, api)
  const read = await fetch(`${base}/api/1/dtabs/shop`, { headers: { accept: 'application/dtab' } })
  t.is(read.status, 200)
  t.is((await read.text()).trim(), '/svc=>/a')
  const version = read.headers.get('etag') ?? ''
  t.is((await put(base, '/svc=>/b', { 'if-match': version })).status, 401)
  const wrong = await put(base, '/svc=>/b', { 'if-match': version, authorization: 'Bearer nope' })
  t.is(wrong.status, 403)
  const ok = await put(base, '/svc=>/b', {
    'if-match': version,
    authorization: 'Bearer the-writes-token',
  })
  t.is(ok.status, 204)
  const stale = await put(base, '/svc=>/c', {
    'if-match': version,
    authorization: 'Bearer the-writes-token',
  })
  t.is(stale.status, 412, 'a write over an old version is refused, as on the API')
  t.is((await put(base, 'not a dtab', { authorization: 'Bearer the-writes-token' })).status, 400)
  t.is((await fetch(`${base}/admin/ping`)).status, 200, "the admin's own routes stay")
  t.is((await fetch(`${base}/no-such-page`)).status, 404)
})

test('an admin beyond loopback serves no API when its writes are open', async (t) => {
  const open = await adminWithApi(t, memoryContext({ shop: '/svc=>/a' }), '0.0.0.0')
  t.is((await fetch(`${open}/api/1/dtabs`)).status, 404)
  t.is((await put(open, '/svc=>/b')).status, 404)
  t.is((await fetch(`${open}/admin/ping`)).status, 200)
})
