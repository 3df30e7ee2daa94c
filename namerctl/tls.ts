/**
 * TLS to namerd for an `https://` base URL: the CA that signs namerd's certificate
 * (`--tls-ca`), and a client certificate and key for mutual TLS (`--tls-cert`, `--tls-key`),
 * from the flags or else the config file's `tls-ca`, `tls-cert`, `tls-key`. The files are read
 * once into one secure context. A key's content is never shown: errors name the flag and path.
 */
import { readFileSync } from 'node:fs'
import { createSecureContext, type SecureContext } from 'node:tls'
import type { NamerdTls } from '../lib/namerd-client/index.js'
import { errorMessage } from '../lib/errors.js'
import { findConfigFile, readConfigKeys, type ConfigKeys } from './config.js'
import { CliConfigError } from './errors.js'

/** The TLS files given, each optional. */
export interface TlsFiles {
  readonly ca?: string | undefined
  readonly cert?: string | undefined
  readonly key?: string | undefined
}

export interface TlsSources {
  /** `--tls-ca`, `--tls-cert`, `--tls-key`. */
  readonly flags: TlsFiles
  /** `--config FILE` instead of searching for `.namerctl.*`. */
  readonly configFile?: string | undefined
  readonly cwd: string
}

/**
 * The TLS settings for `base` (undefined for `http://`, or when no file is given: Node's
 * defaults, the system's CAs). The flags win over the config file, file by file. A certificate
 * without its key (or the reverse), an unreadable file or an unusable one is a config error
 * (exit 2) naming the flag.
 */
export function resolveTls(base: string, src: TlsSources): NamerdTls | undefined {
  if (!base.startsWith('https:')) return undefined
  const needsConfig = Object.values(src.flags).some((f) => f === undefined)
  const file = needsConfig ? (src.configFile ?? findConfigFile(src.cwd)) : undefined
  const fromFile: ConfigKeys = file === undefined ? {} : readConfigKeys(file)
  const ca = src.flags.ca ?? fromFile.tlsCa
  const cert = src.flags.cert ?? fromFile.tlsCert
  const key = src.flags.key ?? fromFile.tlsKey
  if ((cert === undefined) !== (key === undefined))
    throw new CliConfigError('give --tls-cert and --tls-key together (or neither)')
  if (ca === undefined && cert === undefined) return undefined
  return { context: contextOf(ca, cert, key) }
}

function contextOf(ca?: string, cert?: string, key?: string): SecureContext {
  const options = {
    ...(ca === undefined ? {} : { ca: read('--tls-ca', ca) }),
    ...(cert === undefined ? {} : { cert: read('--tls-cert', cert) }),
    ...(key === undefined ? {} : { key: read('--tls-key', key) }),
  }
  const tries: Array<[string, object]> = [
    [`--tls-ca ${ca ?? ''}`, { ca: options.ca }],
    [`--tls-cert ${cert ?? ''}`, { cert: options.cert }],
    [`--tls-key ${key ?? ''}`, { key: options.key }],
    [`--tls-key ${key ?? ''} with --tls-cert ${cert ?? ''}`, options],
  ]
  for (const [what, o] of tries) {
    try {
      createSecureContext(o)
    } catch (e) {
      throw new CliConfigError(`${what}: unusable (${errorMessage(e)})`, { cause: e })
    }
  }
  return createSecureContext(options)
}

function read(flag: string, path: string): Buffer {
  try {
    return readFileSync(path)
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? errorMessage(e)
    throw new CliConfigError(`${flag} ${path}: cannot read (${code})`, { cause: e })
  }
}
