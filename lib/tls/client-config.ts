/**
 * A client's `tls:` section (linkerd's client TLS): how to speak TLS to an endpoint. Pure:
 * parsing reads no file (the paths are opened when connections are made, see
 * router/h1/tls.ts); the router, and later namerd's and namerctl's clients, share it.
 *
 *   tls:
 *     commonName: "{service}.example.com"   # the name the endpoint's certificate must carry
 *     trustCerts: [/certs/ca.pem]           # CAs that sign endpoints' certificates
 *     clientAuth: {certPath: /certs/me.pem, keyPath: /certs/me.key}
 */
import { ConfigError, Section } from '../config/section.js'
import { tlsProtocol, type TlsProtocol } from './server-config.js'

/** The TLS versions `protocols` may list, oldest first. */

/** `clientAuth`: the certificate this client presents (mutual TLS). */
export interface ClientAuth {
  readonly certPath: string
  /** PKCS#8 (or PKCS#1/SEC1) PEM; never logged nor shown. */
  readonly keyPath: string
  readonly intermediateCertsPath?: string
}

/** A parsed `tls:` section. `commonName` may hold `{var}` captures of the client's prefix. */
export interface ClientTlsConfig {
  /** `enabled: false` turns TLS off for the clients this config matches (default true). */
  readonly enabled: boolean
  /** Required unless `disableValidation`; also the SNI name sent (unless an IP literal). */
  readonly commonName?: string
  /** CA certificate files (`trustCerts` then `trustCertsBundle`); empty: the system's CAs. */
  readonly trustCerts: readonly string[]
  /** Accept any certificate, under any name (unsafe; refused with `clientAuth`). */
  readonly disableValidation: boolean
  readonly clientAuth?: ClientAuth
  /** The TLS versions allowed (absent: Node's defaults, TLS 1.2 and 1.3). */
  readonly protocols?: readonly TlsProtocol[]
}

/** Reads a client `tls:` section; a ConfigError names the key at fault. */
export function parseClientTls(s: Section): ClientTlsConfig {
  const enabled = s.bool('enabled', true)
  const disableValidation = s.bool('disableValidation', false)
  const commonName = s.optionalString('commonName')
  const trustCerts = s.list('trustCerts', (item, at) => path(item, at))
  const bundle = s.optionalString('trustCertsBundle')
  const auth = s.section('clientAuth')
  const protocols = s.has('protocols') ? s.list('protocols', tlsProtocol) : (s.raw('protocols'), [])
  s.done()
  if (auth !== undefined && disableValidation) {
    throw new ConfigError(s.where('clientAuth'), 'cannot be combined with disableValidation: true')
  }
  if (commonName === undefined && !disableValidation && enabled) {
    throw new ConfigError(s.where('commonName'), 'required unless disableValidation is true')
  }
  if (commonName === '') throw new ConfigError(s.where('commonName'), 'must not be empty')
  return {
    enabled,
    disableValidation,
    trustCerts: bundle === undefined ? trustCerts : [...trustCerts, bundle],
    ...(commonName === undefined ? {} : { commonName }),
    ...(auth === undefined ? {} : { clientAuth: clientAuth(auth) }),
    ...(protocols.length === 0 ? {} : { protocols }),
  }
}

function clientAuth(s: Section): ClientAuth {
  const certPath = s.string('certPath')
  const keyPath = s.string('keyPath')
  const intermediate = s.optionalString('intermediateCertsPath')
  s.done()
  return {
    certPath,
    keyPath,
    ...(intermediate === undefined ? {} : { intermediateCertsPath: intermediate }),
  }
}

function path(item: unknown, at: string): string {
  if (typeof item !== 'string' || item === '') throw new ConfigError(at, 'expected a file path')
  return item
}
