/**
 * What the servers' TLS (reloading.ts) and the clients' (the router's upstream TLS) build the
 * same way: the version bounds of a `protocols` list, and the check that a key is its
 * certificate's.
 */
import { createPrivateKey, X509Certificate } from 'node:crypto'
import type { TlsProtocol } from './server-config.js'

/**
 * The `minVersion`/`maxVersion` that allow exactly the versions `protocols` lists, in whatever
 * order it lists them (a set: `[TLSv1.3, TLSv1.2]` allows both). Empty: no bound (Node's own).
 */
export function versionBounds(protocols: readonly TlsProtocol[]): {
  minVersion?: TlsProtocol
  maxVersion?: TlsProtocol
} {
  if (protocols.length === 0) return {}
  return {
    minVersion: protocols.includes('TLSv1.2') ? 'TLSv1.2' : 'TLSv1.3',
    maxVersion: protocols.includes('TLSv1.3') ? 'TLSv1.3' : 'TLSv1.2',
  }
}

/**
 * Whether `key` (PEM) is the private key of `cert` (PEM, its first certificate). OpenSSL takes a
 * key of another type than the certificate's without complaint (a context can hold an RSA and an
 * EC pair, and then presents a certificate it cannot sign for): compare the public keys. Throws
 * the library's error, which holds no key material, if either does not parse.
 */
export function keyMatchesCertificate(
  cert: string | Buffer | X509Certificate,
  key: string | Buffer,
): boolean {
  const certificate = cert instanceof X509Certificate ? cert : new X509Certificate(cert)
  return certificate.checkPrivateKey(createPrivateKey(key))
}
