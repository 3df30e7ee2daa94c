import test from 'ava'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { request as httpsRequest } from 'node:https'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { makeCa } from '../testing/tls/pki.js'
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
