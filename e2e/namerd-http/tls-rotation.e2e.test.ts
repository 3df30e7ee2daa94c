/**
 * The router's client certificate for namerd rotated under a running router (certificates made
 * by openssl, testing/tls/pki.ts), namerd requiring a client certificate and allowing reads to
 * one name only. Each rotation is observed from namerd's side: namerd is restarted on the same
 * port, so that every connection to it is new, allowing only the name the router should now
 * present, and a name the router never bound must then be bound through it. A broken new key is
 * logged once and the old files kept (a restarted namerd that allows only the old name still
 * binds); a good new certificate is then presented by the new connections. A bad file at start
 * stops the router, naming it.
 */
import test, { type ExecutionContext } from 'ava'
import { spawnSync } from 'node:child_process'
import { copyFileSync, renameSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { eventually } from '../../testing/eventually.js'
import { freePort } from '../../testing/free-port.js'
import { startNamerd, type NamerdProcess } from '../../testing/namerd/process.js'
import { repoPath } from '../../testing/paths.js'
import { backend, client, send, startRouter, tempDir } from '../../testing/router/process.js'
import { makeCa, type Ca, type Issued } from '../../testing/tls/pki.js'

/** Replaces `to` by `from` at once (written beside it, then renamed), as a rotation does. */
function replace(from: string, to: string): void {
  copyFileSync(from, `${to}.tmp`)
  renameSync(`${to}.tmp`, to)
}

/** namerd on `port` over mutual TLS, its reads allowed to client certificates named `reader`. */
function namerdAllowing(
  t: ExecutionContext,
  dir: string,
  o: { ca: Ca; server: Issued; port: number; dtab: string; reader: string },
): Promise<NamerdProcess> {
  return startNamerd(t, dir, {
    storage: { kind: 'io.l5d.inMemory', namespaces: { default: o.dtab } },
    interfaces: [
      {
        kind: 'io.l5d.httpController',
        port: o.port,
        tls: {
          certPath: o.server.cert,
          keyPath: o.server.key,
          caCertPath: o.ca.cert,
          requireClientAuth: true,
        },
        auth: { reads: { identities: [o.reader] } },
      },
    ],
  })
}

test("the router's client certificate for namerd rotates: a broken key is logged once and the old files kept, a good one is presented by new connections", async (t) => {
  t.timeout(120_000)
  const dir = tempDir(t)
  const ca = await makeCa(dir, 'ca')
  const server = await ca.issue('namerd', { dns: ['namerd', 'localhost'] })
  const [first, second] = [
    await ca.issue('router-1', { usage: 'client' }),
    await ca.issue('router-2', { usage: 'client' }),
  ]
  const [certPath, keyPath] = [join(dir, 'router.crt'), join(dir, 'router.key')]
  copyFileSync(first.cert, certPath)
  copyFileSync(first.key, keyPath)
  const web = await backend(t, 'web')
  const names = ['web', 'web-2', 'web-3']
  const dtab = names.map((n) => `/svc/${n} => /$/inet/127.0.0.1/${web.port};`).join('\n')
  const port = await freePort()
  const namerd = { ca, server, port, dtab }
  let running = await namerdAllowing(t, dir, { ...namerd, reader: first.name })
  const router = await startRouter(t, dir, {
    routers: [
      {
        protocol: 'http',
        interpreter: {
          kind: 'io.l5d.namerd.http',
          dst: `/$/inet/127.0.0.1/${port}`,
          retry: { baseSeconds: 0.1, maxSeconds: 0.5 },
          tls: { commonName: 'namerd', trustCerts: [ca.cert], clientAuth: { certPath, keyPath } },
        },
      },
    ],
  })
  const agent = client(t)
  const routes = async (host: string): Promise<boolean> =>
    (await send(agent, router.port, '/', { host })).status === 200
  t.true(await routes('web'), router.output())

  // A broken key: one warning naming the key and the file, and the old files kept.
  writeFileSync(`${keyPath}.tmp`, 'not a key\n')
  renameSync(`${keyPath}.tmp`, keyPath)
  const warning = 'TLS files not reloaded'
  await eventually('the warning', () => router.output().includes(warning), 15_000)
  await new Promise((res) => setTimeout(res, 2500)) // a few more checks: still one line
  const warnings = router
    .output()
    .split('\n')
    .filter((l) => l.includes(warning))
  t.is(warnings.length, 1, router.output())
  t.regex(warnings[0] ?? '', /"level":"warn"/)
  t.true(
    warnings[0]?.includes(`routers[0].interpreter.tls.clientAuth.keyPath: ${keyPath}`),
    warnings[0],
  )
  t.false(router.output().includes('PRIVATE KEY'), 'no key material logged')
  // Every connection to a new namerd is new; it allows router-1 only: the old files are in force.
  await running.stop()
  running = await namerdAllowing(t, dir, { ...namerd, reader: first.name })
  await eventually('a new name bound through the old certificate', () => routes('web-2'), 30_000)

  // A good pair, key then certificate; namerd now allows router-2 only.
  replace(second.key, keyPath)
  replace(second.cert, certPath)
  await running.stop()
  running = await namerdAllowing(t, dir, { ...namerd, reader: second.name })
  await eventually('a new name bound through the new certificate', () => routes('web-3'), 30_000)
  for (const name of names) t.true(await routes(name), `${name} routes`)
  t.is(router.child.exitCode, null, 'the router runs on')
  t.is(router.output().split(warning).length - 1, 1, 'no other warning')
})

test("a namerd interpreter's key that does not match its certificate stops the router, naming both", async (t) => {
  const dir = tempDir(t)
  const ca = await makeCa(dir, 'ca')
  const [mine, other] = [await ca.issue('router-1'), await ca.issue('router-2')]
  const file = join(dir, 'router.json')
  const tls = {
    commonName: 'namerd',
    trustCerts: [ca.cert],
    clientAuth: { certPath: mine.cert, keyPath: other.key },
  }
  const interpreter = { kind: 'io.l5d.namerd.http', dst: '/$/inet/127.0.0.1/1', tls }
  const routers = [{ protocol: 'http', servers: [{ port: 0 }], interpreter }]
  writeFileSync(file, JSON.stringify({ admin: { port: 0 }, routers }))
  const r = spawnSync(process.execPath, [repoPath('bin/router.js'), file], {
    encoding: 'utf8',
    timeout: 20_000,
  })
  t.is(r.status, 1)
  const why = `routers[0].interpreter.tls.clientAuth.keyPath: ${other.key} does not match the certificate ${mine.cert}`
  t.true(r.stderr.includes(why), r.stderr)
  t.false(r.stderr.includes('PRIVATE KEY'), 'no key material shown')
})
