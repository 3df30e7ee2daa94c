/**
 * The real router following a real namerd over TLS, with a CA and certificates made by openssl
 * (testing/tls/pki.ts): linkerd's TLS examples (namerd/examples/linkerd/tls.yaml and
 * router/examples/linkerd/namerd-tls.yaml, certificate paths pointed at those files) route
 * requests and follow a dtab update made with namerctl over TLS, one of them presenting a
 * client certificate; an interpreter expecting another name for namerd's certificate reports
 * why on its admin page and the router answers its usual "namerd unreachable" error.
 */
import test, { type ExecutionContext } from 'ava'
import { readFileSync } from 'node:fs'
import { parse as parseYaml } from 'yaml'
import type { NamerdInterpreterState } from '../../router/interpreters/namerd-http/state.js'
import { eventually } from '../../testing/eventually.js'
import { freePort } from '../../testing/free-port.js'
import { namerctl, show } from '../../testing/namerctl/harness.js'
import { startNamerd } from '../../testing/namerd/process.js'
import { repoPath } from '../../testing/paths.js'
import {
  backend,
  client,
  send,
  startRouter,
  tempDir,
  type RunningRouter,
} from '../../testing/router/process.js'
import { makeCa, type Ca, type Issued } from '../../testing/tls/pki.js'

interface Setup {
  readonly dir: string
  readonly ca: Ca
  readonly router: Issued
  /** namerd's two HTTPS controllers: plain TLS, and requiring a client certificate. */
  readonly api: number
  readonly mutualApi: number
}

/** `text` with each of `paths` replaced by its test file (every one must occur). */
function pointed(text: string, paths: Record<string, string>): string {
  let out = text
  for (const [from, to] of Object.entries(paths)) {
    if (!out.includes(from)) throw new Error(`no ${from} in the example`)
    out = out.split(from).join(to)
  }
  return out
}

/** linkerd's namerd tls.yaml run with test certificates, free ports and `dtab` in `default`. */
async function namerdFromExample(t: ExecutionContext, dtab: string): Promise<Setup> {
  const dir = tempDir(t)
  const ca = await makeCa(dir, 'ca')
  const names = { dns: ['namerd', 'linkerd-tls-e2e', 'localhost'], ip: ['127.0.0.1'] }
  const server = await ca.issue('namerd', names)
  const router = await ca.issue('router', { usage: 'client' })
  const text = readFileSync(repoPath('namerd/examples/linkerd/tls.yaml'), 'utf8')
  const real = pointed(text, {
    'namerd/examples/certs/namerd-cert.pem': server.cert,
    'namerd/examples/certs/namerd-key.pk8': server.key,
    'finagle/h2/src/e2e/resources/linkerd-tls-e2e-cert.pem': server.cert,
    'finagle/h2/src/e2e/resources/linkerd-tls-e2e-key.pem': server.key,
    'finagle/h2/src/e2e/resources/cacert.pem': ca.cert,
  })
  const config = parseYaml(real) as {
    storage: { namespaces: Record<string, string> }
    interfaces: { kind: string; port?: number }[]
  }
  config.storage.namespaces = { default: dtab }
  const [api, mutualApi] = [await freePort(), await freePort()]
  const controllers = config.interfaces.filter((i) => i.kind === 'io.l5d.httpController')
  t.is(controllers.length, 2)
  ;(controllers[0] as { port?: number }).port = api
  ;(controllers[1] as { port?: number }).port = mutualApi
  // Not in linkerd's example: reads too need a client certificate named `router` there.
  ;(controllers[1] as { auth?: unknown }).auth = { reads: { identities: ['router'] } }
  // The example's admin port (9991) may be taken here: a free one.
  ;(config as { admin?: { port?: number } }).admin = {
    ...(config as { admin?: object }).admin,
    port: await freePort(),
  }
  const adminCa = readFileSync(ca.cert, 'utf8')
  await startNamerd(t, dir, config as unknown as Record<string, unknown>, { adminCa })
  return { dir, ca, router, api, mutualApi }
}

async function interpreterState(r: RunningRouter, label: string): Promise<NamerdInterpreterState> {
  const url = `http://127.0.0.1:${r.adminPort}/${label}/interpreter_state/io.l5d.namerd.http/default.json`
  return (await (await fetch(url)).json()) as NamerdInterpreterState
}

test("linkerd's namerd TLS examples: routers follow namerd's dtab over TLS, with and without a client certificate", async (t) => {
  t.timeout(120_000)
  const [a, b] = [await backend(t, 'a'), await backend(t, 'b')]
  const s = await namerdFromExample(t, `/svc/web => /$/inet/127.0.0.1/${a.port};`)
  const text = readFileSync(repoPath('router/examples/linkerd/namerd-tls.yaml'), 'utf8')
  const real = pointed(text, {
    'certs/namerd-ca.pem': s.ca.cert,
    'certs/router-cert.pem': s.router.cert,
    'certs/router-key.pem': s.router.key,
    '/$/inet/localhost/4180': `/$/inet/localhost/${s.api}`,
    '/$/inet/localhost/4181': `/$/inet/localhost/${s.mutualApi}`,
  })
  const config = parseYaml(real) as { routers: { servers: { port: number; ip?: string }[] }[] }
  const ports = [await freePort(), await freePort()]
  config.routers.forEach((r, i) => (r.servers = [{ port: ports[i] as number, ip: '127.0.0.1' }]))
  const r = await startRouter(t, s.dir, config as unknown as Record<string, unknown>)
  const agent = client(t)
  const backendVia = async (port: number): Promise<unknown> =>
    (await send(agent, port, '/', { host: 'web' })).headers['x-backend']
  for (const port of ports) t.is(await backendVia(port), 'a', `router on ${port}`)

  const base = ['--base-url', `https://localhost:${s.mutualApi}`, '--tls-ca', s.ca.cert]
  const input = `/svc/web => /$/inet/127.0.0.1/${b.port};`
  // The mutual-TLS controller wants a client certificate: without one, no update.
  const refused = await namerctl(['dtab', 'update', 'default', '-', ...base], { input })
  t.is(refused.status, 3, show(refused))
  const withCert = ['--tls-cert', s.router.cert, '--tls-key', s.router.key]
  const update = await namerctl(['dtab', 'update', 'default', '-', ...base, ...withCert], {
    input,
  })
  t.is(update.status, 0, show(update))
  for (const port of ports)
    await eventually(
      `the router on ${port} routes to b`,
      async () => (await backendVia(port)) === 'b',
    )
  const label = 'namerd-http-tls-clientauth'
  t.is((await interpreterState(r, label)).namerd, `https://localhost:${s.mutualApi}`)
  await eventually('every stream of the client-certificate router open', async () =>
    (await interpreterState(r, label)).streams.every((x) => x.state === 'open'),
  )
})

test('a commonName namerd does not carry: the interpreter says why, the router answers its usual error', async (t) => {
  t.timeout(120_000)
  const web = await backend(t, 'web')
  const s = await namerdFromExample(t, `/svc/web => /$/inet/127.0.0.1/${web.port};`)
  const r = await startRouter(t, s.dir, {
    routers: [
      {
        protocol: 'http',
        label: 'wrong',
        bindingTimeoutMs: 1500,
        interpreter: {
          kind: 'io.l5d.namerd.http',
          dst: `/$/inet/127.0.0.1/${s.api}`,
          retry: { baseSeconds: 0.1, maxSeconds: 0.5 },
          tls: { commonName: 'wrong.test', trustCerts: [s.ca.cert] },
        },
      },
    ],
  })
  const reply = await send(client(t), r.port, '/', { host: 'web' })
  t.is(reply.status, 502, reply.body)
  t.is(reply.headers['l5d-err'] !== undefined, true)
  t.regex(
    reply.body,
    /namerd at 127\.0\.0\.1:\d+ is unreachable while binding \/svc\/web: TLS handshake failed: the certificate does not match the expected name/,
  )
  await eventually('the dtab stream reports the failure', async () => {
    const dtab = (await interpreterState(r, 'wrong')).streams.find((x) => x.kind === 'dtab')
    return /wrong\.test/.test(dtab?.lastError ?? '')
  })
  t.is(r.child.exitCode, null, 'the router runs on')
  t.is(web.seen.length, 0)
})
