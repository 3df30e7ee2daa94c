import test from 'ava'
import { copyFileSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { X509Certificate } from 'node:crypto'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { SecureContextOptions } from 'node:tls'
import { makeCa } from '../../testing/tls/pki.js'
import { recordingLog } from '../../testing/recording-log.js'
import { ReloadingTls } from './reloading.js'

function serialOf(o: SecureContextOptions): string {
  return new X509Certificate(o.cert as Buffer).serialNumber
}

/** Replaces `to` by `from` at once (write elsewhere, then rename), as a rotation does. */
function replace(from: string, to: string): void {
  copyFileSync(from, `${to}.new`)
  renameSync(`${to}.new`, to)
}

async function until(cond: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 10_000
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 20))
  }
}

async function setUp(t: { teardown(fn: () => void): void }) {
  const dir = mkdtempSync(join(tmpdir(), 'tls-reload-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const ca = await makeCa(dir, 'ca')
  const first = await ca.issue('first', { dns: ['localhost'] })
  const second = await ca.issue('second', { dns: ['localhost'], keyType: 'rsa' })
  const certPath = join(dir, 'live.crt')
  const keyPath = join(dir, 'live.key')
  copyFileSync(first.cert, certPath)
  copyFileSync(first.key, keyPath)
  const config = {
    certPath,
    keyPath,
    requireClientAuth: false,
    protocols: ['TLSv1.2', 'TLSv1.3'] as const,
  }
  return { dir, ca, first, second, certPath, keyPath, config }
}

test('replaced files are read again: new options, listeners told, one log line', async (t) => {
  const s = await setUp(t)
  const log = recordingLog()
  const tls = await ReloadingTls.open(s.config, log, { checkMs: 100, settleMs: 50 })
  t.teardown(() => tls.close())
  const before = serialOf(tls.options)
  const seen: SecureContextOptions[] = []
  tls.onChange((o) => seen.push(o))
  replace(s.second.key, s.keyPath)
  replace(s.second.cert, s.certPath)
  await until(() => seen.length > 0 && serialOf(tls.options) !== before, 'a reload')
  t.is(
    serialOf(tls.options),
    new X509Certificate(await import('node:fs').then((f) => f.readFileSync(s.second.cert)))
      .serialNumber,
  )
  t.is(serialOf(seen.at(-1) as SecureContextOptions), serialOf(tls.options))
  t.true(log.lines.some((l) => l.level === 'info' && l.msg === 'TLS files reloaded'))
})

test('a broken new file is logged once, naming it, and the old files stay in force', async (t) => {
  const s = await setUp(t)
  const log = recordingLog()
  const tls = await ReloadingTls.open(s.config, log, { checkMs: 50, settleMs: 20 })
  t.teardown(() => tls.close())
  const before = serialOf(tls.options)
  writeFileSync(`${s.keyPath}.new`, 'not a key\n')
  renameSync(`${s.keyPath}.new`, s.keyPath)
  await until(() => log.lines.some((l) => l.level === 'warn'), 'the warning')
  await new Promise((r) => setTimeout(r, 300)) // several more checks: still one line
  const warnings = log.lines.filter((l) => l.level === 'warn')
  t.is(warnings.length, 1)
  t.regex(String(warnings[0]?.fields?.['reason']), new RegExp(`keyPath ${s.keyPath}`))
  t.false(JSON.stringify(log.lines).includes('PRIVATE KEY'))
  t.is(serialOf(tls.options), before)
  // A key that does not match the certificate: refused too, naming both.
  replace(s.second.key, s.keyPath)
  await until(() => log.lines.filter((l) => l.level === 'warn').length === 2, 'a second warning')
  t.regex(String(log.lines.at(-1)?.fields?.['reason']), /with certPath/)
  t.is(serialOf(tls.options), before)
})

test('unusable files at start are an ERR_TLS_FILE naming the file', async (t) => {
  const s = await setUp(t)
  const missing = { ...s.config, caCertPath: join(s.dir, 'absent.pem') }
  const e = await t.throwsAsync(ReloadingTls.open(missing, recordingLog()))
  t.is((e as unknown as { code: string }).code, 'ERR_TLS_FILE')
  t.regex(e.message, /absent\.pem/)
})

test('close() stops watching: later changes are not read', async (t) => {
  const s = await setUp(t)
  const log = recordingLog()
  const tls = await ReloadingTls.open(s.config, log, { checkMs: 50, settleMs: 20 })
  const before = serialOf(tls.options)
  tls.close()
  replace(s.second.key, s.keyPath)
  replace(s.second.cert, s.certPath)
  await new Promise((r) => setTimeout(r, 400))
  t.is(serialOf(tls.options), before)
  t.deepEqual(log.lines, [])
})
