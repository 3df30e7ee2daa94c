/**
 * A TLS server's certificate, key and CA read from their files, and read again when the files
 * change (a certificate rotated in place, a Kubernetes secret updated): new connections get the
 * new certificate, open ones keep theirs. A broken new file (unreadable, not PEM, a key that does
 * not match its certificate) is logged in one line naming it and the old files stay in force.
 */
import { constants } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { createSecureContext, type SecureContextOptions } from 'node:tls'
import { CodedError, errorMessage } from '../errors.js'
import { keyMatchesCertificate, versionBounds } from './context-parts.js'
import type { Log } from '../log.js'
import { ReloadingFiles, type ReloadOptions } from './reloading-files.js'
import type { ServerTlsConfig } from './server-config.js'

export { TLS_RELOAD_CHECK_MS, TLS_RELOAD_SETTLE_MS, type ReloadOptions } from './reloading-files.js'

/** A TLS file could not be read or used when the server started. */
export class TlsFileError extends CodedError {
  readonly code = 'ERR_TLS_FILE'
}

/**
 * The secure-context options of `config`, kept current. `open` reads the files (TlsFileError if
 * they are unusable); `onChange` listeners get the new options after each good reload; `close()`
 * stops watching. Key material is never logged.
 */
export class ReloadingTls {
  private constructor(private readonly files: ReloadingFiles<SecureContextOptions>) {}

  /** Reads the files of `config` and starts watching them. */
  static async open(
    config: ServerTlsConfig,
    log: Log,
    o: ReloadOptions = {},
  ): Promise<ReloadingTls> {
    const set = {
      paths: [config.certPath, config.intermediateCertsPath, config.keyPath, config.caCertPath],
      load: () => load(config),
      fields: { certPath: config.certPath },
    }
    const files = await ReloadingFiles.open(set, log, o).catch((e: unknown) => {
      throw new TlsFileError(errorMessage(e), { cause: e })
    })
    return new ReloadingTls(files)
  }

  /** The options in force (give them to `createServer` or `setSecureContext`). */
  get options(): SecureContextOptions {
    return this.files.current
  }

  onChange(listener: (options: SecureContextOptions) => void): void {
    this.files.onChange(listener)
  }

  close(): void {
    this.files.close()
  }
}

/** Reads the files and checks them together; the error names the file at fault. */
async function load(c: ServerTlsConfig): Promise<SecureContextOptions> {
  const read = (what: string, path: string | undefined): Promise<Buffer | undefined> =>
    path === undefined
      ? Promise.resolve(undefined)
      : readFile(path).catch((e: unknown) => {
          throw new Error(
            `${what} ${path}: cannot read (${(e as NodeJS.ErrnoException).code ?? errorMessage(e)})`,
          )
        })
  const [cert, chain, key, ca] = await Promise.all([
    read('certPath', c.certPath),
    read('intermediateCertsPath', c.intermediateCertsPath),
    read('keyPath', c.keyPath),
    read('caCertPath', c.caCertPath),
  ])
  const options: SecureContextOptions = {
    cert: chain === undefined ? cert : Buffer.concat([cert as Buffer, Buffer.from('\n'), chain]),
    key,
    ...(ca === undefined ? {} : { ca }),
    ...(c.ciphers === undefined ? {} : { ciphers: c.ciphers.join(':') }),
    ...versionBounds(c.protocols),
    // Each TLS 1.2 renegotiation is a full handshake a client asks for at will, and our servers
    // swallow the error Node raises past its own limit: refuse them all.
    secureOptions: constants.SSL_OP_NO_RENEGOTIATION,
  }
  verify(c, options)
  return options
}

/** createSecureContext throws for an unusable file; try each alone to say which. */
function verify(c: ServerTlsConfig, o: SecureContextOptions): void {
  const tries: Array<[string, SecureContextOptions]> = [
    [`certPath ${c.certPath}`, { cert: o.cert }],
    [`keyPath ${c.keyPath}`, { key: o.key }],
    ...(o.ca === undefined
      ? []
      : [[`caCertPath ${c.caCertPath}`, { ca: o.ca }] as [string, SecureContextOptions]]),
    ...(o.ciphers === undefined
      ? []
      : [['ciphers', { ciphers: o.ciphers }] as [string, SecureContextOptions]]),
    [`keyPath ${c.keyPath} with certPath ${c.certPath}`, o],
  ]
  for (const [what, options] of tries) {
    try {
      createSecureContext(options)
    } catch (e) {
      throw new Error(`${what}: ${errorMessage(e)}`, { cause: e })
    }
  }
  if (!keyMatchesCertificate(o.cert as Buffer, o.key as Buffer))
    throw new Error(
      `keyPath ${c.keyPath} with certPath ${c.certPath}: the key does not match the certificate`,
    )
}
