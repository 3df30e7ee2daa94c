/**
 * Client TLS files rotated under a running router (certificates made by openssl per test, an
 * HTTPS endpoint that requires client certificates and closes each connection after its
 * response, so that every request comes on a new upstream connection): the router's client
 * certificate rotated twice under a steady load with no failed request, each new connection
 * presenting the newest one; a broken new key logged once and the previous files kept; the
 * trusted CA rotated while the endpoint moves to a certificate from it.
 */
import test, { type ExecutionContext } from 'ava'
import { X509Certificate } from 'node:crypto'
import { copyFileSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { eventually } from '../../testing/eventually.js'
import { makeCa, type Ca, type Issued } from '../../testing/tls/pki.js'
import { httpsBackend, type HttpsBackend } from '../../testing/tls/https-backend.js'
import {
  client,
  send,
  startRouter,
  tempDir,
  type RunningRouter,
} from '../../testing/router/process.js'

interface Setup {
  readonly dir: string
  readonly ca: Ca
  readonly web: HttpsBackend
  readonly router: RunningRouter
  /** The router's live files: its client certificate and key, and the CA it trusts. */
  readonly certPath: string
  readonly keyPath: string
  readonly trustPath: string
  readonly first: Issued
}

/** Replaces `to` by `from` at once (written beside it, then renamed), as a rotation does. */
function replace(from: string, to: string): void {
  copyFileSync(from, `${to}.tmp`)
  renameSync(`${to}.tmp`, to)
}

function serialOf(cert: Issued): string {
  return new X509Certificate(readFileSync(cert.cert)).serialNumber
}

async function setUp(t: ExecutionContext): Promise<Setup> {
  const dir = tempDir(t)
  const ca = await makeCa(dir, 'ca')
  const web = await httpsBackend(await ca.issue('web', { dns: ['web.test'] }), {
    clientCa: ca.cert,
    closeEach: true,
  })
  t.teardown(() => web.close())
  const first = await ca.issue('router-1', { usage: 'client' })
  const [certPath, keyPath, trustPath] = ['client.crt', 'client.key', 'trust.pem'].map((f) =>
    join(dir, f),
  ) as [string, string, string]
  copyFileSync(first.cert, certPath)
  copyFileSync(first.key, keyPath)
  copyFileSync(ca.cert, trustPath)
  const router = await startRouter(t, dir, {
    routers: [
      {
        protocol: 'http',
        dtab: `/svc/web => /$/inet/127.0.0.1/${web.port}`,
        client: {
          tls: {
            commonName: 'web.test',
            trustCerts: [trustPath],
            clientAuth: { certPath, keyPath },
          },
        },
      },
    ],
  })
  return { dir, ca, web, router, certPath, keyPath, trustPath, first }
}

/** Requests through the router from `n` loops until `stop()`; failures are recorded. */
function steadyLoad(t: ExecutionContext, r: RunningRouter, n: number) {
  const agent = client(t)
  const failures: string[] = []
  let requests = 0
  let running = true
  const loop = async (): Promise<void> => {
    while (running) {
      try {
        const reply = await send(agent, r.port, '/', { host: 'web' })
        requests++
        if (reply.status !== 200) failures.push(`${reply.status} ${reply.body}`)
      } catch (e) {
        failures.push(String(e))
        // A failure may come without I/O (a closed agent): let timers run.
        await new Promise((res) => setTimeout(res, 10))
      }
    }
  }
  const loops = Promise.all(Array.from({ length: n }, loop))
  t.teardown(() => void (running = false)) // a failed assertion does not leave it running
  return {
    failures,
    requests: () => requests,
    stop: async () => {
      running = false
      await loops
    },
  }
}

/** The serials in order of first appearance (a handshake begun before a reload may end after). */
function firstAppearances(serials: readonly string[]): string[] {
  return [...new Set(serials)]
}

const LOOPS = 3

test('client certificate rotated twice under a steady load: no failed request, new connections present the new one', async (t) => {
  t.timeout(120_000)
  const s = await setUp(t)
  const load = steadyLoad(t, s.router, LOOPS)
  const rotations: string[] = []
  for (const n of [2, 3]) {
    await new Promise((res) => setTimeout(res, 1000))
    const next = await s.ca.issue(`router-${n}`, { usage: 'client' })
    // As a rotation writes them: each file whole, the key then the certificate.
    replace(next.key, s.keyPath)
    replace(next.cert, s.certPath)
    const serial = serialOf(next)
    rotations.push(serial)
    await eventually(
      `connections with ${next.name}`,
      () => s.web.clientSerials.includes(serial),
      15_000,
    )
  }
  // Once the newest is seen, only the loops' other handshakes, begun before, may show an older one.
  const newest = rotations[1] as string
  const from = s.web.clientSerials.indexOf(newest) + LOOPS
  await eventually('ten more connections', () => s.web.clientSerials.length >= from + 10, 15_000)
  await load.stop()
  t.deepEqual(load.failures, [])
  t.true(load.requests() > 50, `${load.requests()} requests`)
  t.deepEqual(
    firstAppearances(s.web.clientSerials),
    [serialOf(s.first), ...rotations],
    'new connections presented each client certificate in turn',
  )
  const later = s.web.clientSerials.slice(from)
  t.true(
    later.every((serial) => serial === newest),
    'the later connections present the newest',
  )
  t.false(s.router.output().includes('TLS files not reloaded'), s.router.output())
})

test('a broken new key is logged once and the old files kept; a new CA is trusted once rotated in', async (t) => {
  t.timeout(120_000)
  const s = await setUp(t)
  const load = steadyLoad(t, s.router, 2)
  writeFileSync(`${s.keyPath}.tmp`, 'not a key\n')
  renameSync(`${s.keyPath}.tmp`, s.keyPath)
  const warning = 'TLS files not reloaded'
  await eventually('the warning', () => s.router.output().includes(warning), 15_000)
  const atWarning = load.requests()
  await new Promise((res) => setTimeout(res, 2500)) // a few more checks: still one line
  const warnings = s.router
    .output()
    .split('\n')
    .filter((l) => l.includes(warning))
  t.is(warnings.length, 1, s.router.output())
  t.regex(warnings[0] ?? '', /"level":"warn"/)
  t.true(
    warnings[0]?.includes(`routers[0].client.tls.clientAuth.keyPath: ${s.keyPath}`),
    warnings[0],
  )
  t.false(s.router.output().includes('PRIVATE KEY'), 'no key material logged')
  const broken = load.requests() - atWarning
  t.deepEqual(firstAppearances(s.web.clientSerials), [serialOf(s.first)], 'the previous files')
  // A good pair, key then certificate: taken by the next connections.
  const next = await s.ca.issue('router-2', { usage: 'client' })
  replace(next.key, s.keyPath)
  replace(next.cert, s.certPath)
  await eventually(
    'connections with router-2',
    () => s.web.clientSerials.includes(serialOf(next)),
    15_000,
  )
  await load.stop()
  t.deepEqual(load.failures, [], 'requests kept succeeding throughout')
  t.true(broken > 5, `${broken} requests with a broken key on disk`)

  // The endpoint moves to a certificate of a new CA, and the router's trustCerts to that CA.
  const newCa = await makeCa(s.dir, 'new-ca')
  replace(newCa.cert, s.trustPath)
  s.web.use(await newCa.issue('web-2', { dns: ['web.test'] }))
  const agent = client(t)
  const ok = async (): Promise<boolean> =>
    (await send(agent, s.router.port, '/', { host: 'web' })).status === 200
  // Within the reload delay (a check each second, and 200 ms to settle).
  await eventually('requests through the new CA', ok, 15_000, 100)
  for (let i = 0; i < 20; i++) t.true(await ok(), 'each new connection trusts the new CA')
})
