/**
 * Client TLS through the real router: `client.tls` per prefix with `{service}` templating of
 * `commonName`; each kind of handshake failure answers 502 `ERR_TLS_HANDSHAKE` with `l5d-err`
 * saying why, and is counted per reason; mutual TLS to an endpoint that requires a client
 * certificate (a node:https server standing in for a second router with server TLS); an
 * endpoint whose certificate has the wrong name, among good ones, requeued past and removed by
 * failure accrual, not by failFast (TCP connects to it work).
 */
import test, { type ExecutionContext } from 'ava'
import { spawnSync } from 'node:child_process'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { makeCa } from '../../testing/tls/pki.js'
import { httpsBackend, type HttpsBackend } from '../../testing/tls/https-backend.js'
import { repoPath } from '../../testing/paths.js'
import { eventually } from '../../testing/eventually.js'
import {
  adminMetrics,
  client,
  send,
  startRouter,
  tempDir,
  type RunningRouter,
} from '../../testing/router/process.js'

function l5dErr(value: string | string[] | undefined): string {
  return decodeURIComponent(String(value).replace(/\+/g, ' '))
}

/** A router whose names are files under `root` (io.l5d.fs), with `client` settings. */
function routerOverFs(
  t: ExecutionContext,
  dir: string,
  root: string,
  client: Record<string, unknown>,
): Promise<RunningRouter> {
  return startRouter(t, dir, {
    namers: [{ kind: 'io.l5d.fs', rootDir: root }],
    routers: [{ protocol: 'http', dtab: '/svc => /#/io.l5d.fs', client }],
  })
}

test('client TLS: templated names, each handshake failure named, mutual TLS', async (t) => {
  t.timeout(90_000)
  const dir = tempDir(t)
  const ca = await makeCa(dir, 'ca')
  const other = await makeCa(dir, 'other-ca')
  const started: HttpsBackend[] = []
  t.teardown(() => Promise.all(started.map((b) => b.close())))
  const serve = async (b: Promise<HttpsBackend>): Promise<HttpsBackend> => {
    started.push(await b)
    return started[started.length - 1] as HttpsBackend
  }
  const x = await serve(httpsBackend(await ca.issue('x', { dns: ['x.test'] })))
  const old = await serve(httpsBackend(await ca.issue('old', { dns: ['old.test'], expired: true })))
  const stranger = await serve(
    httpsBackend(await other.issue('stranger', { dns: ['stranger.test'] })),
  )
  const peer = await ca.issue('peer', { dns: ['peer.test'] })
  // The second router's stand-in: requires a client certificate signed by `ca`.
  const mtls = await serve(httpsBackend(peer, { clientCa: ca.cert }))
  // Two endpoints of one name, one with an expired certificate: nothing was sent to it, so
  // each request that met it is requeued to the other.
  const mixedOld = await serve(
    httpsBackend(await ca.issue('m1', { dns: ['mixed.test'], expired: true })),
  )
  const mixedGood = await serve(httpsBackend(await ca.issue('m2', { dns: ['mixed.test'] })))
  const me = await ca.issue('router-a', { usage: 'client' })
  const impostor = await other.issue('impostor', { usage: 'client' })

  const root = join(dir, 'disco')
  mkdirSync(root)
  const services: Record<string, HttpsBackend> = {
    x,
    old,
    stranger,
    wrong: x,
    peer: mtls,
    authed: mtls,
    impostor: mtls,
  }
  for (const [name, b] of Object.entries(services)) {
    writeFileSync(join(root, name), `127.0.0.1 ${b.port}\n`)
  }
  writeFileSync(join(root, 'mixed'), `127.0.0.1 ${mixedOld.port}\n127.0.0.1 ${mixedGood.port}\n`)
  const fixed = (name: string, auth?: { certPath: string; keyPath: string }) => ({
    commonName: name,
    trustCerts: [ca.cert],
    ...(auth === undefined ? {} : { clientAuth: auth }),
  })
  const r = await routerOverFs(t, dir, root, {
    kind: 'io.l5d.static',
    configs: [
      {
        prefix: '/#/io.l5d.fs/{service}',
        tls: { commonName: '{service}.test', trustCerts: [ca.cert] },
      },
      {
        prefix: '/#/io.l5d.fs/authed',
        tls: fixed('peer.test', { certPath: me.cert, keyPath: me.key }),
      },
      {
        prefix: '/#/io.l5d.fs/impostor',
        tls: fixed('peer.test', { certPath: impostor.cert, keyPath: impostor.key }),
      },
    ],
  })
  const agent = client(t)
  const get = (host: string) => send(agent, r.port, '/', { host })

  const ok = await get('x')
  t.is(ok.status, 200)
  t.is(ok.body, 'hello anonymous')

  const cases: readonly [string, RegExp][] = [
    ['old', /certificate has expired/],
    ['stranger', /certificate is not trusted/],
    ['wrong', /does not match the expected name.*expected name "wrong\.test"/],
    ['peer', /endpoint required a client certificate, or refused ours/],
    ['impostor', /endpoint required a client certificate, or refused ours/],
  ]
  for (const [host, reason] of cases) {
    const reply = await get(host)
    t.is(reply.status, 502, host)
    const err = l5dErr(reply.headers['l5d-err'])
    t.regex(err, reason, host)
    t.regex(err, new RegExp(`TLS handshake with 127\\.0\\.0\\.1:${services[host]?.port} failed`))
    t.regex(reply.body, /client name: \/#\/io\.l5d\.fs\//, host)
  }

  const authed = await get('authed')
  t.is(authed.status, 200)
  t.is(authed.body, 'hello router-a')

  // The balancer picks either endpoint: 60 calls all but surely try the expired one at least
  // once (6 missed it about once in 60 runs).
  for (let i = 0; i < 60; i++)
    t.is((await get('mixed')).status, 200, 'requeued past the expired one')

  const m = await adminMetrics(r)
  const stat = (svc: string, name: string) => m[`rt/http/client/#/io.l5d.fs/${svc}/tls/${name}`]
  const clientKeys = Object.keys(m).filter((k) => k.includes('/tls/'))
  t.is(stat('old', 'handshake_failures'), 1, clientKeys.join('\n'))
  t.is(stat('old', 'handshake_failures/expired'), 1)
  t.is(stat('stranger', 'handshake_failures/untrusted'), 1)
  t.is(stat('wrong', 'handshake_failures/wrong_name'), 1)
  t.is(stat('peer', 'handshake_failures/client_cert_refused'), 1)
  t.is(stat('impostor', 'handshake_failures/client_cert_refused'), 1)
  t.is(stat('x', 'handshake_failures'), undefined)
  const mixed = stat('mixed', 'handshake_failures/expired') ?? 0
  t.true(mixed >= 1, `${mixed} handshake failures`)
  t.is(m['rt/http/client/#/io.l5d.fs/mixed/retries/requeues'], mixed)
})

test('a wrong-name endpoint among good ones: requeued past, removed by accrual, not by failFast', async (t) => {
  t.timeout(90_000)
  const dir = tempDir(t)
  const ca = await makeCa(dir, 'ca')
  const backends = await Promise.all([
    httpsBackend(await ca.issue('good-1', { dns: ['svc.test'] })),
    httpsBackend(await ca.issue('good-2', { dns: ['svc.test'] })),
    httpsBackend(await ca.issue('misnamed', { dns: ['other.test'] })),
  ])
  t.teardown(() => Promise.all(backends.map((b) => b.close())))
  const bad = `127.0.0.1:${backends[2]?.port}`
  const root = join(dir, 'disco')
  mkdirSync(root)
  writeFileSync(join(root, 'svc'), backends.map((b) => `127.0.0.1 ${b.port}\n`).join(''))
  const r = await routerOverFs(t, dir, root, {
    failFast: true,
    // No probe within the test: the one removal is all there is to see.
    failureAccrual: {
      kind: 'io.l5d.consecutiveFailures',
      failures: 5,
      backoff: { kind: 'constant', ms: 600_000 },
    },
    tls: { commonName: 'svc.test', trustCerts: [ca.cert] },
  })
  const agent = client(t)
  const statuses: number[] = []
  const stateOf = async (): Promise<string | undefined> => {
    const reply = await fetch(`http://127.0.0.1:${r.adminPort}/client_state.json`)
    const body = (await reply.json()) as Record<
      string,
      Record<string, { endpoints: { endpoint: string; state: string }[] }>
    >
    return body['http']?.['/#/io.l5d.fs/svc']?.endpoints.find((e) => e.endpoint === bad)?.state
  }
  await eventually('the misnamed endpoint removed', async () => {
    statuses.push((await send(agent, r.port, '/', { host: 'svc' })).status)
    return (await stateOf()) === 'dead'
  })
  for (let i = 0; i < 20; i++)
    statuses.push((await send(agent, r.port, '/', { host: 'svc' })).status)
  t.true(
    statuses.every((s) => s === 200),
    `every request answered by a good endpoint: ${statuses.join(' ')}`,
  )
  const m = await adminMetrics(r)
  const scope = 'rt/http/client/#/io.l5d.fs/svc'
  t.is(m[`${scope}/failure_accrual/removals`], 1)
  t.is(m[`${scope}/tls/handshake_failures/wrong_name`], 5, 'five in a row, then no more')
  t.is(m[`${scope}/retries/requeues`], 5)
  const removals = r
    .output()
    .split('\n')
    .filter((l) => l.includes('endpoint marked dead') && l.includes(bad))
  t.is(removals.length, 1, r.output())
  t.regex(removals[0] ?? '', /5 consecutive failures/)
  t.false(r.output().includes('failFast'), 'not held down as a connect failure')
})

test('a client TLS file that cannot be read stops the router with a message naming it', (t) => {
  const dir = tempDir(t)
  const file = join(dir, 'router.json')
  const missing = join(dir, 'no-ca.pem')
  writeFileSync(
    file,
    JSON.stringify({
      admin: { port: 0 },
      routers: [
        {
          protocol: 'http',
          dtab: '/svc => /$/inet/127.0.0.1/1',
          servers: [{ port: 0 }],
          client: { tls: { commonName: 'x.test', trustCerts: [missing] } },
        },
      ],
    }),
  )
  const r = spawnSync(process.execPath, [repoPath('bin/router.js'), file], {
    encoding: 'utf8',
    timeout: 20_000,
  })
  t.is(r.status, 1)
  t.true(
    r.stderr.includes(`routers[0].client.tls.trustCerts: cannot read ${missing} (ENOENT)`),
    r.stderr,
  )
  t.false(r.stderr.includes('    at '), 'no stack trace')
})
