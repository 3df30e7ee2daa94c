/**
 * Rotation races on ReloadingTls (issue 15's attack tests): files replaced in odd orders, a
 * Kubernetes-style symbolic link swap, a truncated file, a directory removed and made again,
 * and nothing read after `close()`. Real files, certificates made by openssl.
 */
import test from 'ava'
import { X509Certificate } from 'node:crypto'
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Log } from '../log.js'
import { makeCa, type Issued } from '../../testing/tls/pki.js'
import { ReloadingTls, type ReloadOptions } from './reloading.js'

interface Line {
  readonly level: string
  readonly msg: string
}

function logTo(lines: Line[]): Log {
  const at = (level: string) => (msg: string) => void lines.push({ level, msg })
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

async function until(cond: () => boolean, ms = 10_000): Promise<boolean> {
  const deadline = Date.now() + ms
  while (!cond() && Date.now() < deadline) await sleep(20)
  return cond()
}

const serial = (pem: Buffer | string): string => new X509Certificate(pem).serialNumber

async function pki(t: { teardown(fn: () => void): void }) {
  const dir = mkdtempSync(join(tmpdir(), 'tls-attack-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const ca = await makeCa(dir, 'ca')
  const a = await ca.issue('a', { dns: ['localhost'] })
  const b = await ca.issue('b', { dns: ['localhost'] })
  return { dir, a, b }
}

/** Opens `certPath`/`keyPath`; the options in force and the log lines, kept current. */
async function open(certPath: string, keyPath: string, o: ReloadOptions, lines: Line[]) {
  const config = { certPath, keyPath, requireClientAuth: false, protocols: ['TLSv1.3'] as const }
  const tls = await ReloadingTls.open(config, logTo(lines), o)
  return { tls, now: () => serial(tls.options.cert as Buffer) }
}

function put(from: string, to: string): void {
  copyFileSync(from, `${to}.new`)
  renameSync(`${to}.new`, to)
}

/** `live.crt` and `live.key` in `dir`, holding `pair`: the files a server is opened on. */
function livePair(dir: string, pair: Issued): [string, string] {
  const [cert, key] = [join(dir, 'live.crt'), join(dir, 'live.key')]
  put(pair.cert, cert)
  put(pair.key, key)
  return [cert, key]
}

test('a key renamed into place 150 ms after its certificate (settle 300 ms) gives no warning', async (t) => {
  const { dir, a, b } = await pki(t)
  const [cert, key] = livePair(dir, a)
  const lines: Line[] = []
  // The periodic check (every 10 ms here; 1 s by default) falls between the two renames.
  const { tls, now } = await open(cert, key, { checkMs: 10, settleMs: 300 }, lines)
  t.teardown(() => tls.close())
  put(b.cert, cert)
  await sleep(150)
  put(b.key, key)
  t.true(await until(() => now() === serial(readFileSync(b.cert))), 'the new pair is read')
  // docs/tls.md: "To rotate without a warning, write each new file beside the old one and
  // rename it into place, the key and the certificate within a second of each other (within
  // 200 ms, the new pair is read at once)."
  t.deepEqual(
    lines.filter((l) => l.level === 'warn'),
    [],
    'the settle delay is skipped by the periodic check',
  )
})

test('a key whose certificate comes 400 ms late (settle 20 ms) is read again, not reported', async (t) => {
  const { dir, a, b } = await pki(t)
  const [cert, key] = livePair(dir, a)
  const lines: Line[] = []
  // A writer stalled between its two renames (a busy machine) for longer than the settle delay.
  const { tls, now } = await open(cert, key, { checkMs: 1000, settleMs: 20 }, lines)
  t.teardown(() => tls.close())
  put(b.key, key)
  await sleep(400)
  put(b.cert, cert)
  t.true(await until(() => now() === serial(readFileSync(b.cert))), 'the new pair is read')
  await sleep(1200) // a check later: still nothing reported
  t.deepEqual(
    lines.filter((l) => l.level === 'warn'),
    [],
    'a mismatched pair read once is tried again at the next check before it is reported',
  )
})

test('a Kubernetes secret update (the ..data symbolic link swapped) is read', async (t) => {
  const { dir, a, b } = await pki(t)
  const volume = join(dir, 'secret')
  const version = (name: string, pair: Issued): void => {
    mkdirSync(join(volume, name), { recursive: true })
    copyFileSync(pair.cert, join(volume, name, 'tls.crt'))
    copyFileSync(pair.key, join(volume, name, 'tls.key'))
  }
  version('..v1', a)
  symlinkSync('..v1', join(volume, '..data'))
  symlinkSync('..data/tls.crt', join(volume, 'tls.crt'))
  symlinkSync('..data/tls.key', join(volume, 'tls.key'))
  const lines: Line[] = []
  const { tls, now } = await open(join(volume, 'tls.crt'), join(volume, 'tls.key'), {}, lines)
  t.teardown(() => tls.close())
  version('..v2', b)
  symlinkSync('..v2', join(volume, '..data_tmp'))
  renameSync(join(volume, '..data_tmp'), join(volume, '..data'))
  rmSync(join(volume, '..v1'), { recursive: true })
  t.true(await until(() => now() === serial(readFileSync(b.cert))), JSON.stringify(lines))
  t.false(
    lines.some((l) => l.level === 'warn'),
    JSON.stringify(lines),
  )
})

test('a truncated certificate keeps the old files; the whole one is then read', async (t) => {
  const { dir, a, b } = await pki(t)
  const [cert, key] = livePair(dir, a)
  const lines: Line[] = []
  const { tls, now } = await open(cert, key, { checkMs: 50, settleMs: 20 }, lines)
  t.teardown(() => tls.close())
  const whole = readFileSync(b.cert, 'utf8')
  writeFileSync(cert, whole.slice(0, whole.length / 2))
  t.true(await until(() => lines.some((l) => l.level === 'warn')), 'the broken file is reported')
  t.is(now(), serial(readFileSync(a.cert)), 'the old certificate stays in force')
  put(b.key, key)
  writeFileSync(cert, whole)
  t.true(await until(() => now() === serial(whole)), JSON.stringify(lines))
})

test('a directory removed and made again with new files is read; nothing after close()', async (t) => {
  const { dir, a, b } = await pki(t)
  const certs = join(dir, 'certs')
  const [cert, key] = [join(certs, 'live.crt'), join(certs, 'live.key')]
  mkdirSync(certs)
  put(a.cert, cert)
  put(a.key, key)
  const lines: Line[] = []
  const { tls, now } = await open(cert, key, { checkMs: 50, settleMs: 20 }, lines)
  rmSync(certs, { recursive: true })
  await sleep(200)
  t.is(now(), serial(readFileSync(a.cert)), 'the old files stay in force while none is there')
  mkdirSync(certs)
  put(b.cert, cert)
  put(b.key, key)
  t.true(await until(() => now() === serial(readFileSync(b.cert))), JSON.stringify(lines))
  tls.close()
  put(a.cert, cert)
  put(a.key, key)
  await sleep(300)
  t.is(now(), serial(readFileSync(b.cert)), 'closed: nothing is read any more')
})
