// An h2 router that cannot start (its start fails after the config parsed) exits with status 1
// and its reason on stderr, in one line: a server port already in use, a server's TLS file
// missing, a client's TLS file missing.
import test from 'ava'
import { spawnSync } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { repoPath } from '../../testing/paths.js'
import { backend, tempDir } from '../../testing/router/process.js'

/** Runs the real router on `router` (one h2 router); its exit status and stderr. */
function run(
  dir: string,
  router: Record<string, unknown>,
): { status: number | null; stderr: string } {
  const file = join(dir, 'router.json')
  writeFileSync(
    file,
    JSON.stringify({ admin: { port: 0 }, routers: [{ protocol: 'h2', ...router }] }),
  )
  const r = spawnSync(process.execPath, [repoPath('bin/router.js'), file], {
    encoding: 'utf8',
    timeout: 20_000,
    killSignal: 'SIGKILL',
  })
  return { status: r.status, stderr: r.stderr }
}

test('an h2 server port already in use: status 1, the address on stderr', async (t) => {
  const holder = await backend(t, 'holder')
  const r = run(tempDir(t), { servers: [{ port: holder.port }] })
  t.is(r.status, 1, r.stderr)
  t.true(
    r.stderr.includes(
      `router: cannot listen on 127.0.0.1:${holder.port}: address already in use\n`,
    ),
    r.stderr,
  )
  t.false(r.stderr.includes('    at '), 'no stack trace')
})

test("an h2 server's TLS certificate missing: status 1, the file on stderr", (t) => {
  const dir = tempDir(t)
  const certPath = join(dir, 'missing-cert.pem')
  // The key is there: only the certificate is missing, so the one file to name is known (with
  // both missing, which read fails first is a race).
  const keyPath = join(dir, 'key.pem')
  writeFileSync(keyPath, 'a key file that exists\n')
  const r = run(dir, { servers: [{ port: 0, tls: { certPath, keyPath } }] })
  t.is(r.status, 1, r.stderr)
  t.true(r.stderr.includes(`router: certPath ${certPath}: cannot read (ENOENT)`), r.stderr)
  t.false(r.stderr.includes('    at '), 'no stack trace')
})

test("an h2 client's TLS trust file missing: status 1, the key and file on stderr", (t) => {
  const dir = tempDir(t)
  const ca = join(dir, 'missing-ca.pem')
  const r = run(dir, {
    servers: [{ port: 0 }],
    client: { tls: { commonName: 'backend', trustCerts: [ca] } },
  })
  t.is(r.status, 1, r.stderr)
  t.true(
    r.stderr.includes(`router: routers[0].client.tls.trustCerts: cannot read ${ca} (ENOENT)`),
    r.stderr,
  )
  t.false(r.stderr.includes('    at '), 'no stack trace')
})
