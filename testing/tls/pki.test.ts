import test from 'ava'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { X509Certificate } from 'node:crypto'
import { makeCa } from './pki.js'

test('a CA issues server and client certificates, valid or expired, that verify against it', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'pki-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const ca = await makeCa(dir, 'ca')
  const other = await makeCa(dir, 'other-ca')
  const server = await ca.issue('srv', { dns: ['localhost'], ip: ['127.0.0.1'] })
  const client = await ca.issue('cli', { usage: 'client', keyType: 'rsa' })
  const old = await ca.issue('old', { dns: ['localhost'], expired: true })
  const caCert = new X509Certificate(readFileSync(ca.cert))
  const srv = new X509Certificate(readFileSync(server.cert))
  t.true(srv.verify(caCert.publicKey))
  t.false(srv.verify(new X509Certificate(readFileSync(other.cert)).publicKey))
  t.true(srv.checkHost('localhost') === 'localhost')
  t.is(srv.checkIP('127.0.0.1'), '127.0.0.1')
  t.regex(new X509Certificate(readFileSync(client.cert)).subject, /CN=cli/)
  const expired = new X509Certificate(readFileSync(old.cert))
  t.true(expired.verify(caCert.publicKey))
  t.true(new Date(expired.validTo).getTime() < Date.now(), expired.validTo)
  t.regex(readFileSync(server.key, 'utf8'), /^-----BEGIN PRIVATE KEY-----/, 'PKCS#8 PEM')
  const spiffe = await ca.issue('svc', { usage: 'client', uri: ['spiffe://example.org/svc'] })
  t.is(
    new X509Certificate(readFileSync(spiffe.cert)).subjectAltName,
    'URI:spiffe://example.org/svc',
  )
})
