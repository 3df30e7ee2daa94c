import test, { type ExecutionContext } from 'ava'
import { X509Certificate } from 'node:crypto'
import { copyFileSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { ResponseHandler } from '../core/handler.js'
import type { ClientTlsConfig } from '../../lib/tls/client-config.js'
import type { Log } from '../../lib/log.js'
import { eventually } from '../../testing/eventually.js'
import { recordingLog } from '../../testing/recording-log.js'
import { makeCa, type Ca, type Issued } from '../../testing/tls/pki.js'
import { httpsBackend } from '../../testing/tls/https-backend.js'
import { H1Pool } from './pool.js'
import { ClientTlsFiles, upstreamTls } from '../net/upstream-tls-files.js'

const dir = mkdtempSync(join(tmpdir(), 'client-tls-files-'))
test.after.always(() => rmSync(dir, { recursive: true, force: true }))

// One PKI for the file (openssl takes a while).
const pki: Promise<{ ca: Ca; server: Issued; first: Issued; second: Issued }> = (async () => {
  const ca = await makeCa(dir, 'ca')
  return {
    ca,
    server: await ca.issue('x', { dns: ['x.test'] }),
    first: await ca.issue('router-1', { usage: 'client' }),
    second: await ca.issue('router-2', { usage: 'client', keyType: 'rsa' }),
  }
})()

let n = 0
/** Live copies of `identity`'s files and of the CA, in a directory of their own. */
async function liveFiles(identity: (k: Awaited<typeof pki>) => Issued) {
  const k = await pki
  const at = mkdtempSync(join(dir, `live-${n++}-`))
  const [certPath, keyPath, trust] = ['me.crt', 'me.key', 'ca.pem'].map((f) => join(at, f)) as [
    string,
    string,
    string,
  ]
  copyFileSync(identity(k).cert, certPath)
  copyFileSync(identity(k).key, keyPath)
  copyFileSync(k.ca.cert, trust)
  const settings: ClientTlsConfig = {
    enabled: true,
    disableValidation: false,
    commonName: 'x.test',
    trustCerts: [trust],
    clientAuth: { certPath, keyPath },
  }
  return { ...k, settings, certPath, keyPath, trust }
}

/** Replaces `to` by `from` at once (written beside it, then renamed). */
function replace(from: string, to: string): void {
  copyFileSync(from, `${to}.tmp`)
  renameSync(`${to}.tmp`, to)
}

function get(pool: H1Pool): Promise<string> {
  return new Promise((resolve, reject) => {
    let body = ''
    const handler: ResponseHandler = {
      onConnect: () => {},
      onHeaders: () => true,
      onData: (chunk) => ((body += chunk.toString()), true),
      onComplete: () => resolve(body),
      onError: reject,
    }
    pool.dispatch({ method: 'GET', path: '/', headers: ['host', 'x.test'], body: null }, handler)
  })
}

const at = 'routers[0].client.tls'

/** The files of `settings`, checked often (a test need not wait a second). */
function watched(settings: ClientTlsConfig, log: Log): Promise<ClientTlsFiles> {
  return ClientTlsFiles.open([{ tls: settings, at }], log, { checkMs: 50, settleMs: 20 })
}

async function openFails(t: ExecutionContext, settings: ClientTlsConfig): Promise<string> {
  const e = await t.throwsAsync(ClientTlsFiles.open([{ tls: settings, at }], recordingLog()))
  t.is((e as unknown as { code: string }).code, 'ERR_CONFIG')
  t.false(e.message.includes('PRIVATE KEY'), 'no key material')
  return e.message
}

test('unusable files at start: a ConfigError naming the key and the file', async (t) => {
  const s = await liveFiles((k) => k.first)
  const missing = join(dir, 'absent.pem')
  t.is(
    await openFails(t, { ...s.settings, trustCerts: [missing] }),
    `${at}.trustCerts: cannot read ${missing} (ENOENT)`,
  )
  writeFileSync(s.trust, 'not a certificate\n')
  t.is(await openFails(t, s.settings), `${at}.trustCerts: ${s.trust} holds no PEM certificate`)
  copyFileSync(s.ca.cert, s.trust)
  replace(s.second.key, s.keyPath)
  t.is(
    await openFails(t, s.settings),
    `${at}.clientAuth.keyPath: ${s.keyPath} does not match the certificate ${s.certPath}`,
  )
  writeFileSync(s.keyPath, 'not a key\n')
  t.regex(await openFails(t, s.settings), /clientAuth\.keyPath: .* is not a usable private key/)
  // The same checks when read once, without watching.
  t.throws(() => upstreamTls(s.settings, at), { message: /is not a usable private key/ })
})

test('rotated files: the next connection presents the new certificate, no old session resumed', async (t) => {
  const s = await liveFiles((k) => k.first)
  const log = recordingLog()
  const files = await watched(s.settings, log)
  t.teardown(() => files.close())
  const b = await httpsBackend(s.server, { clientCa: s.ca.cert, closeEach: true })
  t.teardown(() => b.close())
  const upstream = files.upstreamTls({ ...s.settings, commonName: 'x.test' })
  t.not(upstream, undefined, 'templated names share the files')
  const pool = new H1Pool('127.0.0.1', b.port, {
    tls: s.settings,
    ...(upstream === undefined ? {} : { upstreamTls: upstream }),
  })
  t.teardown(() => pool.close())
  t.is(await get(pool), 'hello router-1')
  t.is(await get(pool), 'hello router-1')
  replace(s.second.key, s.keyPath)
  replace(s.second.cert, s.certPath)
  await eventually('the reload', () => log.lines.some((l) => l.msg === 'TLS files reloaded'))
  t.is(await get(pool), 'hello router-2')
  t.deepEqual(b.resumed, [false, true, false], 'the session of the old files is not resumed')
  const serial = new X509Certificate(readFileSync(s.second.cert)).serialNumber
  t.is(b.clientSerials.at(-1), serial)
  t.deepEqual(
    log.lines.map((l) => [l.level, l.msg, l.fields?.['tls']]),
    [['info', 'TLS files reloaded', at]],
  )
})

test('a rotated key of another type than its certificate: refused, logged, the previous files kept', async (t) => {
  const s = await liveFiles((k) => k.second)
  const log = recordingLog()
  const files = await watched(s.settings, log)
  t.teardown(() => files.close())
  const before = files.upstreamTls(s.settings)?.context
  // An EC key beside the RSA certificate: OpenSSL would hold both without complaint.
  replace(s.first.key, s.keyPath)
  await eventually('the warning', () => log.lines.length > 0)
  t.is(log.lines[0]?.level, 'warn')
  t.is(
    log.lines[0]?.fields?.['reason'],
    `${at}.clientAuth.keyPath: ${s.keyPath} does not match the certificate ${s.certPath}`,
  )
  t.is(files.upstreamTls(s.settings)?.context, before, 'the previous context stays')
  t.false(JSON.stringify(log.lines).includes('PRIVATE KEY'), 'no key material logged')
})

test('a broken new key: one warning naming it, the previous files kept; close() stops watching', async (t) => {
  const s = await liveFiles((k) => k.first)
  const log = recordingLog()
  const files = await watched(s.settings, log)
  const upstream = files.upstreamTls(s.settings)
  const before = upstream?.context
  writeFileSync(`${s.keyPath}.tmp`, 'not a key\n')
  renameSync(`${s.keyPath}.tmp`, s.keyPath)
  await eventually('the warning', () => log.lines.length > 0)
  await new Promise((r) => setTimeout(r, 300)) // several more checks: still one line
  t.is(log.lines.length, 1)
  t.is(log.lines[0]?.level, 'warn')
  t.regex(
    String(log.lines[0]?.fields?.['reason']),
    new RegExp(`clientAuth\\.keyPath: ${s.keyPath}`),
  )
  t.is(upstream?.context, before, 'the previous context stays')
  files.close()
  replace(s.second.key, s.keyPath)
  replace(s.second.cert, s.certPath)
  await new Promise((r) => setTimeout(r, 300))
  t.is(upstream?.context, before, 'nothing read once closed')
  t.is(log.lines.length, 1)
})
