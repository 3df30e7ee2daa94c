/**
 * A server's `tls` section (linkerd 1's server TLS keys, on a router's servers and on the admin
 * servers), read strictly and without I/O: the files are read when the server starts
 * (reloading.ts).
 */
import { defined } from '../config/common.js'
import { ConfigError, type Section } from '../config/section.js'

/** The TLS versions a server may offer; older ones are refused (they are broken). */
export const TLS_PROTOCOLS = ['TLSv1.2', 'TLSv1.3'] as const
export type TlsProtocol = (typeof TLS_PROTOCOLS)[number]

/** What a TLS server presents and whom it accepts. Paths only: no key material. */
export interface ServerTlsConfig {
  /** The certificate (chain) in PEM. */
  readonly certPath: string
  /** Further chain certificates in PEM, sent after `certPath`'s. */
  readonly intermediateCertsPath?: string
  /** The private key in PEM (PKCS#8, PKCS#1 or SEC1). */
  readonly keyPath: string
  /** CA certificates (PEM) that client certificates are verified against. */
  readonly caCertPath?: string
  /** Clients must present a certificate signed by a CA of `caCertPath`. Default false. */
  readonly requireClientAuth: boolean
  /** OpenSSL cipher names offered for TLSv1.2 (default: Node's list). */
  readonly ciphers?: readonly string[]
  /** The TLS versions offered (default both of TLS_PROTOCOLS). */
  readonly protocols: readonly TlsProtocol[]
  /**
   * The client certificate names (CN, SAN DNS or URI) let through; a verified client carrying
   * none of them is refused by its server. Router servers only (`clientNames: true` to parse).
   */
  readonly clientNames?: readonly string[]
  /**
   * At most this many handshakes in progress at once (not linkerd's); a connection over it is
   * closed at once. Absent: MAX_CONCURRENT_HANDSHAKES (handshake-cap.ts).
   */
  readonly maxConcurrentHandshakes?: number
}

/** What a server's `tls` may hold beyond linkerd's keys. */
export interface ServerTlsKeys {
  /** `clientNames` (router servers enforce it; the admin servers do not). */
  readonly clientNames?: boolean
}

/** Reads a server `tls` section; undefined when absent or `enabled: false`. */
export function parseServerTls(
  s: Section | undefined,
  keys: ServerTlsKeys = {},
): ServerTlsConfig | undefined {
  if (s === undefined) return undefined
  if (!s.bool('enabled', true)) {
    s.ignore(...TLS_KEYS, ...(keys.clientNames === true ? ['clientNames'] : []))
    s.done()
    return undefined
  }
  const requireClientAuth = s.bool('requireClientAuth', false)
  const caCertPath = pathOf(s, 'caCertPath', false)
  if (requireClientAuth && caCertPath === undefined) {
    throw new ConfigError(
      s.where('caCertPath'),
      'required when requireClientAuth is true (the CA that signs client certificates)',
    )
  }
  const tls: ServerTlsConfig = {
    certPath: pathOf(s, 'certPath', true) as string,
    keyPath: pathOf(s, 'keyPath', true) as string,
    requireClientAuth,
    protocols: protocolsOf(s),
    ...defined({
      intermediateCertsPath: pathOf(s, 'intermediateCertsPath', false),
      caCertPath,
      ciphers: ciphersOf(s),
      clientNames: keys.clientNames === true ? clientNamesOf(s, requireClientAuth) : undefined,
      maxConcurrentHandshakes: s.optionalNumber('maxConcurrentHandshakes', { min: 1, max: 1e6 }),
    }),
  }
  s.done()
  return tls
}

const TLS_KEYS = [
  'certPath',
  'intermediateCertsPath',
  'keyPath',
  'caCertPath',
  'requireClientAuth',
  'ciphers',
  'protocols',
  'maxConcurrentHandshakes',
]

function pathOf(s: Section, key: string, required: boolean): string | undefined {
  if (!required && !s.has(key)) return (s.raw(key), undefined)
  const path = s.string(key)
  if (path === '') throw new ConfigError(s.where(key), 'must not be empty (a file path)')
  return path
}

/** `clientNames`: only where client certificates are required (else no name is known). */
function clientNamesOf(s: Section, requireClientAuth: boolean): readonly string[] | undefined {
  if (!s.has('clientNames')) return (s.raw('clientNames'), undefined)
  if (!requireClientAuth) {
    throw new ConfigError(
      s.where('clientNames'),
      'needs requireClientAuth: true (and caCertPath): without a verified client certificate there is no name to check',
    )
  }
  const names = s.list('clientNames', (v, at) => {
    if (typeof v !== 'string' || v === '' || !/^[\x20-\x7e]+$/.test(v))
      throw new ConfigError(at, 'expected a certificate name (CN, DNS name or URI)')
    return v
  })
  if (names.length === 0) throw new ConfigError(s.where('clientNames'), 'must not be empty')
  return names
}

function ciphersOf(s: Section): readonly string[] | undefined {
  if (!s.has('ciphers')) return (s.raw('ciphers'), undefined)
  const ciphers = s.list('ciphers', (v, at) => {
    if (typeof v !== 'string' || !/^[A-Za-z0-9_+-]+$/.test(v))
      throw new ConfigError(at, 'expected a cipher name such as ECDHE-ECDSA-AES128-GCM-SHA256')
    return v
  })
  if (ciphers.length === 0) throw new ConfigError(s.where('ciphers'), 'must not be empty')
  return ciphers
}

function protocolsOf(s: Section): readonly TlsProtocol[] {
  if (!s.has('protocols')) return (s.raw('protocols'), TLS_PROTOCOLS)
  const protocols = s.list('protocols', tlsProtocol)
  if (protocols.length === 0) throw new ConfigError(s.where('protocols'), 'must not be empty')
  return protocols
}

/** One item of a `protocols` list (server or client): a TLS version this project allows. */
export function tlsProtocol(v: unknown, at: string): TlsProtocol {
  if (!(TLS_PROTOCOLS as readonly unknown[]).includes(v)) {
    const why = /^(SSLv|TLSv1(\.[01])?$)/.test(String(v)) ? ' (too old: insecure)' : ''
    throw new ConfigError(
      at,
      `unsupported TLS version ${JSON.stringify(v)}${why} (known: ${TLS_PROTOCOLS.join(', ')})`,
    )
  }
  return v as TlsProtocol
}
