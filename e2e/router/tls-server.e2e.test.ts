/**
 * TLS on the real router's servers and admin, with a CA and certificates made by openssl for
 * each test (testing/tls/pki.ts): HTTPS in and plain HTTP out, clients that do not trust the
 * server or that the server does not trust refused and counted, certificates rotated under a
 * steady load without a failed request, and an HTTPS admin whose config.json shows paths only.
 */
import test, { type ExecutionContext } from 'ava'
import { spawnSync } from 'node:child_process'
import { X509Certificate } from 'node:crypto'
import { copyFileSync, readFileSync, renameSync } from 'node:fs'
import { Agent, request, type RequestOptions } from 'node:https'
import { join } from 'node:path'
import type { TLSSocket } from 'node:tls'
import { parse as parseYaml } from 'yaml'
import { repoPath } from '../../testing/paths.js'
import { makeCa, type Ca, type Issued } from '../../testing/tls/pki.js'
import {
  adminMetrics,
  backend,
  startRouter,
  tempDir,
  type Backend,
  type RunningRouter,
} from '../../testing/router/process.js'

interface Reply {
  readonly status: number
  readonly body: string
  /** The serial number of the certificate the router presented. */
  readonly serial: string
}

/** One HTTPS GET to the router (host `web`); rejects when the handshake or request fails. */
function get(port: number, options: RequestOptions = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path: '/',
        headers: { host: 'web' },
        servername: 'localhost',
        ...options,
      },
      (res) => {
        const serial = (res.socket as TLSSocket).getPeerCertificate().serialNumber
        let body = ''
        res.setEncoding('utf8')
        res.on('data', (d: string) => (body += d))
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body, serial }))
        res.on('error', reject)
      },
    )
    req.setTimeout(10_000, () => req.destroy(new Error('no answer within 10 s')))
    req.on('error', reject)
    req.end()
  })
}

interface Setup {
  readonly dir: string
  readonly ca: Ca
  readonly caPem: string
  readonly web: Backend
  readonly certPath: string
  readonly keyPath: string
}

/** A CA, a server certificate for localhost/127.0.0.1 at `live.crt`/`live.key`, a backend. */
async function setUp(t: ExecutionContext): Promise<Setup> {
  const dir = tempDir(t)
  const ca = await makeCa(dir, 'ca')
  const server = await ca.issue('router-1', { dns: ['localhost'], ip: ['127.0.0.1'] })
  const certPath = join(dir, 'live.crt')
  const keyPath = join(dir, 'live.key')
  copyFileSync(server.cert, certPath)
  copyFileSync(server.key, keyPath)
  const web = await backend(t, 'web')
  return { dir, ca, caPem: readFileSync(ca.cert, 'utf8'), web, certPath, keyPath }
}

function routerWithTls(s: Setup, tls: Record<string, unknown>): Record<string, unknown> {
  return {
    routers: [
      {
        protocol: 'http',
        dtab: `/svc/web => /$/inet/127.0.0.1/${s.web.port}`,
        servers: [{ tls: { certPath: s.certPath, keyPath: s.keyPath, ...tls } }],
      },
    ],
  }
}

function serialOf(cert: Issued): string {
  return new X509Certificate(readFileSync(cert.cert)).serialNumber
}

async function handshakeFailures(r: RunningRouter): Promise<Record<string, number>> {
  const m = await adminMetrics(r)
  const prefix = `rt/http/server/127.0.0.1/${r.port}/tls/handshake_failures`
  return Object.fromEntries(Object.entries(m).filter(([k]) => k.startsWith(prefix)))
}

test('HTTPS in, plain HTTP out; a client that does not trust the CA fails and is counted', async (t) => {
  const s = await setUp(t)
  const r = await startRouter(t, s.dir, routerWithTls(s, {}))
  const ok = await get(r.port, { ca: s.caPem })
  t.is(ok.status, 200)
  t.is((JSON.parse(ok.body) as { backend: string }).backend, 'web')
  t.is(s.web.seen.length, 1)
  // SNI: any name gets the configured certificate.
  t.is(
    (
      await get(r.port, {
        ca: s.caPem,
        servername: 'other.example',
        checkServerIdentity: () => undefined,
      })
    ).status,
    200,
  )
  const untrusted = await t.throwsAsync(get(r.port))
  t.regex(
    String((untrusted as NodeJS.ErrnoException).code),
    /SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER/,
  )
  t.is(s.web.seen.length, 2)
  // openssl refuses the certificate with an alert (in TLS 1.3, after the server's handshake).
  const other = await makeCa(s.dir, 'other-ca')
  const openssl = spawnSync(
    'openssl',
    ['s_client', '-connect', `127.0.0.1:${r.port}`, '-verify_return_error', '-CAfile', other.cert],
    { input: '', encoding: 'utf8', timeout: 20_000 },
  )
  t.not(openssl.status, 0, openssl.stdout)
  const total = `rt/http/server/127.0.0.1/${r.port}/tls/handshake_failures`
  let failures: Record<string, number> = {}
  for (let i = 0; i < 100 && (failures[total] ?? 0) < 2; i++) {
    await new Promise((res) => setTimeout(res, 50))
    failures = await handshakeFailures(r)
  }
  t.is(failures[total], 2, JSON.stringify(failures))
  t.is(failures[`${total}/ECONNRESET`], 1, JSON.stringify(failures))
  t.is(failures[`${total}/ERR_SSL_TLSV1_ALERT_UNKNOWN_CA`], 1, JSON.stringify(failures))
})

test('requireClientAuth: only clients with a certificate from caCertPath get through', async (t) => {
  const s = await setUp(t)
  const other = await makeCa(s.dir, 'other-ca')
  const good = await s.ca.issue('client-ok', { usage: 'client' })
  const stranger = await other.issue('client-stranger', { usage: 'client' })
  const r = await startRouter(
    t,
    s.dir,
    routerWithTls(s, { caCertPath: s.ca.cert, requireClientAuth: true }),
  )
  const withCert = (c: Issued): RequestOptions => ({
    ca: s.caPem,
    cert: readFileSync(c.cert),
    key: readFileSync(c.key),
  })
  t.is((await get(r.port, withCert(good))).status, 200)
  await t.throwsAsync(get(r.port, { ca: s.caPem }))
  await t.throwsAsync(get(r.port, withCert(stranger)))
  t.is(s.web.seen.length, 1, 'only the client with a good certificate reached the backend')
  let failures: Record<string, number> = {}
  for (let i = 0; i < 100 && Object.keys(failures).length < 3; i++) {
    failures = await handshakeFailures(r)
    await new Promise((res) => setTimeout(res, 50))
  }
  t.is(
    failures[`rt/http/server/127.0.0.1/${r.port}/tls/handshake_failures`],
    2,
    JSON.stringify(failures),
  )
})

test('certificates rotated twice under a steady load: no failed request, new connections get the new one', async (t) => {
  t.timeout(120_000)
  const s = await setUp(t)
  const r = await startRouter(t, s.dir, routerWithTls(s, {}))
  const keepAlive = new Agent({ keepAlive: true, maxSockets: 4, ca: s.caPem })
  t.teardown(() => keepAlive.destroy())
  const failures: string[] = []
  const seen: string[] = []
  let running = true
  let requests = 0
  const loop = async (options: RequestOptions): Promise<void> => {
    while (running) {
      try {
        const reply = await get(r.port, options)
        requests++
        if (reply.status !== 200) failures.push(`status ${reply.status}`)
      } catch (e) {
        failures.push(String(e))
      }
    }
  }
  const fresh = async (): Promise<void> => {
    while (running) {
      try {
        const reply = await get(r.port, { ca: s.caPem, agent: false })
        requests++
        if (reply.status !== 200) failures.push(`status ${reply.status}`)
        // In order of first appearance: a connection whose handshake began just before a
        // reload may still answer with the old certificate after a newer one was seen.
        if (!seen.includes(reply.serial)) seen.push(reply.serial)
      } catch (e) {
        failures.push(String(e))
      }
    }
  }
  const load = Promise.all([
    loop({ agent: keepAlive }),
    loop({ agent: keepAlive }),
    fresh(),
    fresh(),
  ])
  const first = serialOf({ name: 'live', cert: s.certPath, key: s.keyPath })
  const rotations: string[] = []
  for (const n of [2, 3]) {
    await new Promise((res) => setTimeout(res, 1000))
    const next = await s.ca.issue(`router-${n}`, { dns: ['localhost'], ip: ['127.0.0.1'] })
    // As a rotation writes them: each file whole, the key then the certificate.
    copyFileSync(next.key, `${s.keyPath}.tmp`)
    copyFileSync(next.cert, `${s.certPath}.tmp`)
    renameSync(`${s.keyPath}.tmp`, s.keyPath)
    renameSync(`${s.certPath}.tmp`, s.certPath)
    const serial = serialOf(next)
    rotations.push(serial)
    const deadline = Date.now() + 15_000
    while (!seen.includes(serial) && Date.now() < deadline)
      await new Promise((res) => setTimeout(res, 50))
  }
  await new Promise((res) => setTimeout(res, 500))
  running = false
  await load
  t.deepEqual(failures, [])
  t.true(requests > 50, `${requests} requests`)
  t.deepEqual(seen, [first, ...rotations], 'new connections presented each certificate in turn')
  t.false(r.output().includes('TLS files not reloaded'), r.output())
})

test('admin.tls: the admin answers over HTTPS only, and config.json shows paths, no key', async (t) => {
  const s = await setUp(t)
  const config = {
    admin: { tls: { certPath: s.certPath, keyPath: s.keyPath } },
    routers: [{ protocol: 'http', dtab: `/svc/web => /$/inet/127.0.0.1/${s.web.port}` }],
  }
  const r = await startRouter(t, s.dir, config, { adminCa: s.caPem })
  const over = (path: string): Promise<Reply> => get(r.adminPort, { ca: s.caPem, path })
  const cfg = await over('/config.json')
  t.is(cfg.status, 200)
  t.true(cfg.body.includes(JSON.stringify(s.keyPath)), cfg.body)
  t.false(cfg.body.includes('BEGIN'), 'no PEM in config.json')
  t.is((await over('/admin/ping')).body, 'pong')
  await t.throwsAsync(fetch(`http://127.0.0.1:${r.adminPort}/admin/ping`))
})

/** A linkerd TLS example of router/examples/linkerd/ with its `certs/…` paths made real. */
function linkerdExample(file: string, certs: Record<string, string>): Record<string, unknown> {
  const text = readFileSync(repoPath('router/examples/linkerd', file), 'utf8')
  const real = text.replace(/certs\/[\w.-]+/g, (p) => {
    const path = certs[p]
    if (path === undefined) throw new Error(`${file}: no test file for ${p}`)
    return path
  })
  const config = parseYaml(real) as { routers: { servers: { port?: number }[] }[] }
  for (const server of config.routers.flatMap((r) => r.servers)) delete server.port
  return config as unknown as Record<string, unknown>
}

test("linkerd's TLS examples start with certificates made here, and serve TLS as they say", async (t) => {
  t.timeout(120_000)
  const s = await setUp(t)
  const client = await s.ca.issue('example-client', { usage: 'client' })
  const certs = {
    'certs/router-cert.pem': s.certPath,
    'certs/router-key.pem': s.keyPath,
    'certs/admin-cert.pem': s.certPath,
    'certs/admin-key.pem': s.keyPath,
    'certs/ca-chain.pem': s.ca.cert,
    'certs/ca-cert.pem': s.ca.cert,
    // The client half of mutualTls.yaml (its routing: e2e/router/mesh-tls.e2e.test.ts).
    'certs/client-cert.pem': client.cert,
    'certs/client-key.pem': client.key,
    'certs/intermediate-ca.pem': s.ca.cert,
  }
  const serial = serialOf({ name: 'live', cert: s.certPath, key: s.keyPath })
  const tls = await startRouter(t, s.dir, linkerdExample('tls.yaml', certs))
  t.is((await get(tls.port, { ca: s.caPem })).serial, serial)
  const mutual = await startRouter(t, s.dir, linkerdExample('mutualTls.yaml', certs))
  await t.throwsAsync(get(mutual.port, { ca: s.caPem }))
  const withCert = { ca: s.caPem, cert: readFileSync(client.cert), key: readFileSync(client.key) }
  t.is((await get(mutual.port, withCert)).serial, serial)
  const admin = await startRouter(t, s.dir, linkerdExample('admin-tls.yaml', certs), {
    adminCa: s.caPem,
  })
  t.is((await get(admin.adminPort, { ca: s.caPem, path: '/admin/ping' })).body, 'pong')
})
