import test from 'ava'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { makeCa } from '../../testing/tls/pki.js'
import { keyMatchesCertificate, versionBounds } from './context-parts.js'

const dir = mkdtempSync(join(tmpdir(), 'tls-parts-'))
test.after.always(() => rmSync(dir, { recursive: true, force: true }))

test('versionBounds reads protocols as a set, in any order', (t) => {
  const both = { minVersion: 'TLSv1.2', maxVersion: 'TLSv1.3' }
  t.deepEqual(versionBounds(['TLSv1.2', 'TLSv1.3']), both)
  t.deepEqual(versionBounds(['TLSv1.3', 'TLSv1.2']), both)
  t.deepEqual(versionBounds(['TLSv1.3']), { minVersion: 'TLSv1.3', maxVersion: 'TLSv1.3' })
  t.deepEqual(versionBounds(['TLSv1.2']), { minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2' })
  t.deepEqual(versionBounds([]), {})
})

test('keyMatchesCertificate: its own key only, whatever the types; a bad key throws', async (t) => {
  const ca = await makeCa(dir, 'ca')
  const rsa = await ca.issue('rsa', { usage: 'client', keyType: 'rsa' })
  const ec = await ca.issue('ec', { usage: 'client' })
  const other = await ca.issue('ec-2', { usage: 'client' })
  const read = (p: string): string => readFileSync(p, 'utf8')
  t.true(keyMatchesCertificate(read(rsa.cert), read(rsa.key)))
  t.true(keyMatchesCertificate(read(ec.cert), read(ec.key)))
  t.false(keyMatchesCertificate(read(rsa.cert), read(ec.key)), 'an EC key with an RSA certificate')
  t.false(keyMatchesCertificate(read(ec.cert), read(rsa.key)), 'an RSA key with an EC certificate')
  t.false(keyMatchesCertificate(read(ec.cert), read(other.key)), 'another EC key')
  t.throws(() => keyMatchesCertificate(read(ec.cert), 'not a key\n'))
})
