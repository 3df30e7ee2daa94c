/**
 * Mutual TLS between two real routers (linker to linker), in the shape of linkerd's
 * `mutualTls.yaml` with `clientNames` added: an outgoing router with client TLS and `clientAuth`,
 * an incoming one with `requireClientAuth` and `clientNames`, a plain backend behind. A request
 * goes through both hops; each way of getting mTLS wrong is refused with its stated error and
 * counted. Also linkerd's `mutualTls.yaml` itself, routing to an endpoint that wants a client
 * certificate; and examples/per-host-mtls as a user runs it, with the certificates its
 * make-certs.sh makes.
 */
import test from 'ava'
import { execFile } from 'node:child_process'
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { request, type RequestOptions } from 'node:https'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { parse as parseYaml } from 'yaml'
import { freePort } from '../../testing/free-port.js'
import { startNamerd } from '../../testing/namerd/process.js'
import { repoPath } from '../../testing/paths.js'
import { startProgram } from '../../testing/program.js'
import { makeCa, type Issued } from '../../testing/tls/pki.js'
import { httpsBackend } from '../../testing/tls/https-backend.js'
import {
  adminMetrics,
  backend,
  client,
  disco,
  echoed,
  send,
  startRouter,
  tempDir,
  type RunningRouter,
} from '../../testing/router/process.js'

function l5dErr(value: string | string[] | undefined): string {
  return decodeURIComponent(String(value).replace(/\+/g, ' '))
}

const ROUTER_NAME = 'spiffe://mesh.test/router'

/** The client TLS of one outgoing service: the incoming router's name, our certificate. */
function tlsTo(ca: Issued, commonName: string, auth?: Issued): Record<string, unknown> {
  return {
    commonName,
    trustCerts: [ca.cert],
    ...(auth === undefined ? {} : { clientAuth: { certPath: auth.cert, keyPath: auth.key } }),
  }
}

/** A router's metrics, polled until `until` holds (or 5 s pass). */
async function metricsOnce(
  r: RunningRouter,
  until: (m: Record<string, number>) => boolean,
): Promise<Record<string, number>> {
  let m = await adminMetrics(r)
  for (let i = 0; i < 100 && !until(m); i++) {
    await new Promise((res) => setTimeout(res, 50))
    m = await adminMetrics(r)
  }
  return m
}

test('mTLS between two routers: routed when right, each mistake refused with its error', async (t) => {
  t.timeout(120_000)
  const dir = tempDir(t)
  const ca = await makeCa(dir, 'mesh-ca')
  const otherCa = await makeCa(dir, 'other-ca')
  // One certificate per router: the incoming side's names (the services its host serves) for
  // the outgoing routers' commonName, the mesh's router name (URI) for clientNames.
  const hostB = await ca.issue('router-b', { dns: ['web.mesh'], uri: [ROUTER_NAME], usage: 'both' })
  const hostA = await ca.issue('router-a', { uri: [ROUTER_NAME], usage: 'client' })
  const foreign = await otherCa.issue('router-x', { uri: [ROUTER_NAME], usage: 'client' })
  // A certificate from the mesh's CA, but an app's, not a router's.
  const app = await ca.issue('web-app', { dns: ['web-app.mesh'], usage: 'client' })
  const web = await backend(t, 'web')

  const incoming = await startRouter(t, dir, {
    routers: [
      {
        protocol: 'http',
        label: 'incoming',
        dtab: `/svc/web => /$/inet/127.0.0.1/${web.port}`,
        servers: [
          {
            tls: {
              certPath: hostB.cert,
              keyPath: hostB.key,
              requireClientAuth: true,
              caCertPath: ca.cert,
              clientNames: [ROUTER_NAME],
            },
          },
        ],
      },
    ],
  })
  const root = join(dir, 'disco-a')
  mkdirSync(root)
  const services = ['web', 'wrongname', 'noauth', 'foreign', 'app']
  for (const s of services) writeFileSync(join(root, s), `127.0.0.1 ${incoming.port}\n`)
  const outgoing = await startRouter(t, dir, {
    namers: [{ kind: 'io.l5d.fs', rootDir: root }],
    routers: [
      {
        protocol: 'http',
        label: 'outgoing',
        dtab: '/svc => /#/io.l5d.fs',
        client: {
          kind: 'io.l5d.static',
          configs: [
            { prefix: '/#/io.l5d.fs/{service}', tls: tlsTo(ca, '{service}.mesh', hostA) },
            { prefix: '/#/io.l5d.fs/noauth', tls: tlsTo(ca, 'web.mesh') },
            { prefix: '/#/io.l5d.fs/foreign', tls: tlsTo(ca, 'web.mesh', foreign) },
            { prefix: '/#/io.l5d.fs/app', tls: tlsTo(ca, 'web.mesh', app) },
          ],
        },
      },
    ],
  })
  const agent = client(t)
  const get = (host: string) => send(agent, outgoing.port, '/hello', { host })

  const ok = await get('web')
  t.is(ok.status, 200, ok.body)
  t.is(web.seen.length, 1)
  t.is(web.seen[0]?.url, '/hello')
  t.regex(String(web.seen[0]?.headers.via), /, /, 'both hops are in the Via header')

  const handshake: readonly [string, RegExp][] = [
    ['noauth', /endpoint required a client certificate, or refused ours/],
    ['foreign', /endpoint required a client certificate, or refused ours/],
    ['wrongname', /does not match the expected name.*expected name "wrongname\.mesh"/],
  ]
  const server = `rt/incoming/server/127.0.0.1/${incoming.port}/tls`
  const failures = `${server}/handshake_failures`
  for (const [host, why] of handshake) {
    const before = (await adminMetrics(incoming))[failures] ?? 0
    const reply = await get(host)
    t.is(reply.status, 502, host)
    const err = l5dErr(reply.headers['l5d-err'])
    t.regex(err, new RegExp(`^TLS handshake with 127\\.0\\.0\\.1:${incoming.port} failed`), host)
    t.regex(err, why, host)
    // The incoming router saw the failed handshake too (for wrongname: the outgoing one left).
    const after = await metricsOnce(incoming, (m) => (m[failures] ?? 0) > before)
    t.true((after[failures] ?? 0) > before, `${host}: ${JSON.stringify(after)}`)
  }

  const refused = await get('app')
  t.is(refused.status, 403)
  const err = l5dErr(refused.headers['l5d-err'])
  t.regex(err, /^client certificate \("web-app", "web-app\.mesh"\) is not allowed here/)
  t.regex(err, /none of its names is in this server's tls\.clientNames/)
  t.regex(refused.body, /is not allowed here/)
  t.is((await get('app')).status, 403, 'every request of the connection')
  t.is(web.seen.length, 1, 'nothing refused reached the backend')

  const out = await adminMetrics(outgoing)
  const stat = (svc: string, reason: string): number =>
    out[`rt/outgoing/client/#/io.l5d.fs/${svc}/tls/handshake_failures/${reason}`] ?? 0
  t.true(stat('noauth', 'client_cert_refused') >= 1, JSON.stringify(out))
  t.true(stat('foreign', 'client_cert_refused') >= 1)
  t.true(stat('wrongname', 'wrong_name') >= 1)
  t.is(out['rt/outgoing/client/#/io.l5d.fs/web/tls/handshake_failures'], undefined)
  const m = await adminMetrics(incoming)
  t.is(m[`${server}/client_names_refused`], 1, 'one refused connection')
  t.true((m[`${failures}/ERR_SSL_PEER_DID_NOT_RETURN_A_CERTIFICATE`] ?? 0) >= 1, 'noauth')
})

/** One HTTPS GET with a client certificate; status and body. */
function httpsGet(port: number, o: RequestOptions): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/', ...o }, (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (d: string) => (body += d))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }))
    })
    req.setTimeout(10_000, () => req.destroy(new Error('no answer within 10 s')))
    req.on('error', reject)
    req.end()
  })
}

test("linkerd's mutualTls.yaml routes: a client certificate in, a client certificate out", async (t) => {
  t.timeout(90_000)
  const dir = tempDir(t)
  const ca = await makeCa(dir, 'ca')
  const router = await ca.issue('router', { dns: ['localhost'] })
  const routerClient = await ca.issue('router-client', { usage: 'client' })
  const caller = await ca.issue('caller', { usage: 'client' })
  const users = await httpsBackend(await ca.issue('users', { dns: ['users.internal'] }), {
    clientCa: ca.cert,
  })
  t.teardown(() => users.close())
  const certs: Record<string, string> = {
    'certs/router-cert.pem': router.cert,
    'certs/router-key.pem': router.key,
    'certs/ca-cert.pem': ca.cert,
    'certs/client-cert.pem': routerClient.cert,
    'certs/client-key.pem': routerClient.key,
    'certs/intermediate-ca.pem': ca.cert,
  }
  const text = readFileSync(repoPath('router/examples/linkerd/mutualTls.yaml'), 'utf8')
    .replace(/certs\/[\w.-]+/g, (p) => certs[p] ?? p)
    .replace('rootDir: examples/disco', `rootDir: ${join(dir, 'disco')}`)
  mkdirSync(join(dir, 'disco'))
  writeFileSync(join(dir, 'disco', 'users'), `127.0.0.1 ${users.port}\n`)
  const config = parseYaml(text) as { routers: { servers: { port?: number }[] }[] }
  for (const s of config.routers.flatMap((r) => r.servers)) delete s.port
  const r = await startRouter(t, dir, config as unknown as Record<string, unknown>)
  const reply = await httpsGet(r.port, {
    headers: { host: 'users' },
    servername: 'localhost',
    ca: readFileSync(ca.cert),
    cert: readFileSync(caller.cert),
    key: readFileSync(caller.key),
  })
  t.is(reply.status, 200)
  t.is(reply.body, 'hello router-client', "the endpoint saw the router's client certificate")
  await t.throwsAsync(
    httpsGet(r.port, {
      headers: { host: 'users' },
      servername: 'localhost',
      ca: readFileSync(ca.cert),
    }),
  )
})

interface PerHostMtls {
  admin: { port: number }
  routers: {
    interpreter: { dst: string; transformers: { port?: number }[] }
    servers: { ip: string; port: number }[]
  }[]
}

test('examples/per-host-mtls: make-certs.sh makes what router.yaml starts with; routed, and refused', async (t) => {
  t.timeout(120_000)
  const dir = tempDir(t)
  const certs = join(dir, 'certs')
  await promisify(execFile)(repoPath('examples/per-host-mtls/make-certs.sh'), [certs], {
    timeout: 60_000,
  })
  t.deepEqual(readdirSync(certs).sort(), [
    'app-key.pem',
    'app.pem',
    'ca-key.pem',
    'ca.pem',
    'router-key.pem',
    'router.pem',
  ])
  const web = await backend(t, 'users-v1')
  const namerd = await startNamerd(t, dir, {
    storage: {
      kind: 'io.l5d.file',
      path: join(dir, 'dtabs.json'),
      namespaces: { default: '/svc => /#/io.l5d.fs' },
    },
    namers: [{ kind: 'io.l5d.fs', rootDir: disco(dir, { 'users-v1': [web] }) }],
  })
  // The example as written, its certificates from certs/, on free ports (io.l5d.port's port is
  // in the client prefix too: both follow the incoming server's).
  const [outPort, inPort, adminPort] = [await freePort(), await freePort(), await freePort()]
  const text = readFileSync(repoPath('examples/per-host-mtls/router.yaml'), 'utf8')
  t.true(text.includes('examples/per-host-mtls/certs/') && text.includes('/io.l5d.port/4141/'))
  const config = parseYaml(
    text
      .replaceAll('examples/per-host-mtls/certs/', `${certs}/`)
      .replaceAll('/io.l5d.port/4141/', `/io.l5d.port/${inPort}/`),
  ) as PerHostMtls
  const [outgoing, incoming] = config.routers
  if (outgoing === undefined || incoming === undefined) return t.fail()
  config.admin.port = adminPort
  for (const r of config.routers)
    r.interpreter.dst = `/$/inet/127.0.0.1/${new URL(namerd.api).port}`
  t.is(outgoing.interpreter.transformers[0]?.port, incoming.servers[0]?.port)
  outgoing.interpreter.transformers[0] = { ...outgoing.interpreter.transformers[0], port: inPort }
  outgoing.servers[0] = { ...(outgoing.servers[0] as { ip: string }), port: outPort }
  incoming.servers[0] = { ...(incoming.servers[0] as object), ip: '127.0.0.1', port: inPort }
  const file = join(dir, 'per-host-mtls.json')
  writeFileSync(file, JSON.stringify(config))
  await startProgram(t, {
    name: 'router',
    bin: repoPath('bin/router.js'),
    args: [file],
    admin: `http://127.0.0.1:${adminPort}`,
    readyWithinMs: 15_000,
  })
  const reply = await send(client(t), outPort, '/', { host: 'users-v1' })
  t.is(reply.status, 200, reply.body)
  t.is(echoed(reply).backend, 'users-v1')
  t.is(echoed(reply).headers.via, '1.1 linkerd, 1.1 linkerd')
  const app = await httpsGet(inPort, {
    headers: { host: 'users-v1' },
    servername: 'users-v1.mesh',
    ca: readFileSync(join(certs, 'ca.pem')),
    cert: readFileSync(join(certs, 'app.pem')),
    key: readFileSync(join(certs, 'app-key.pem')),
  })
  t.is(app.status, 403)
  t.regex(app.body, /^client certificate \("web-app", "web-app\.mesh"\) is not allowed here/)
  t.is(web.seen.length, 1)
})
