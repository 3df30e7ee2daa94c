/**
 * A TLS server's certificate, key and CA read from their files, and read again when the files
 * change (a certificate rotated in place, a Kubernetes secret updated): new connections get the
 * new certificate, open ones keep theirs. A broken new file (unreadable, not PEM, a key that does
 * not match its certificate) is logged in one line naming it and the old files stay in force.
 */
import { watch, type FSWatcher } from 'node:fs'
import { constants, createPrivateKey, X509Certificate } from 'node:crypto'
import { readFile, stat } from 'node:fs/promises'
import { dirname } from 'node:path'
import { createSecureContext, type SecureContextOptions } from 'node:tls'
import { CodedError, errorMessage } from '../errors.js'
import { fileStamp } from '../file-stamp.js'
import type { Log } from '../log.js'
import type { ServerTlsConfig } from './server-config.js'

/** A TLS file could not be read or used when the server started. */
export class TlsFileError extends CodedError {
  readonly code = 'ERR_TLS_FILE'
}

/** How often the files are checked when no change was noticed (a fallback to fs.watch). */
export const TLS_RELOAD_CHECK_MS = 1000
/** A change waits this long for its companion (a certificate, then its key) before reading. */
export const TLS_RELOAD_SETTLE_MS = 200

export interface ReloadOptions {
  readonly checkMs?: number
  readonly settleMs?: number
}

type Files = Readonly<Record<'cert' | 'chain' | 'key' | 'ca', string | undefined>>

/**
 * The secure-context options of `config`, kept current. `open` reads the files (TlsFileError if
 * they are unusable); `onChange` listeners get the new options after each good reload; `close()`
 * stops watching. Key material is never logged.
 */
export class ReloadingTls {
  private listeners: Array<(options: SecureContextOptions) => void> = []
  private watchers: FSWatcher[] = []
  private readonly timer: NodeJS.Timeout
  private settle: NodeJS.Timeout | undefined
  private loadedSig: string
  private failedSig = ''
  private checking = false
  private closed = false

  private constructor(
    private readonly config: ServerTlsConfig,
    private current: SecureContextOptions,
    sig: string,
    private readonly log: Log,
    private readonly o: Required<ReloadOptions>,
  ) {
    this.loadedSig = sig
    this.timer = setInterval(() => void this.poll(), o.checkMs).unref()
    this.watchDirs()
  }

  /** Reads the files of `config` and starts watching them. */
  static async open(
    config: ServerTlsConfig,
    log: Log,
    o: ReloadOptions = {},
  ): Promise<ReloadingTls> {
    // Loaded first: its errors name the file at fault.
    const options = await load(config).catch((e: unknown) => {
      throw new TlsFileError(errorMessage(e), { cause: e })
    })
    const sig = await signature(config)
    const settings = { checkMs: TLS_RELOAD_CHECK_MS, settleMs: TLS_RELOAD_SETTLE_MS, ...o }
    return new ReloadingTls(config, options, sig, log, settings)
  }

  /** The options in force (give them to `createServer` or `setSecureContext`). */
  get options(): SecureContextOptions {
    return this.current
  }

  onChange(listener: (options: SecureContextOptions) => void): void {
    this.listeners.push(listener)
  }

  close(): void {
    this.closed = true
    clearInterval(this.timer)
    clearTimeout(this.settle)
    for (const w of this.watchers) w.close()
    this.watchers = []
  }

  private watchDirs(): void {
    const dirs = new Set(
      Object.values(filesOf(this.config)).flatMap((f) => (f ? [dirname(f)] : [])),
    )
    for (const dir of dirs) {
      try {
        const w = watch(dir, { persistent: false }, () => this.soon())
        w.on('error', () => w.close()) // the periodic check still runs
        this.watchers.push(w)
      } catch {
        // Not watchable (e.g. too many watches): the periodic check covers it.
      }
    }
  }

  /** A change was noticed: read once things settle (a cert and its key written in turn). */
  private soon(): void {
    if (this.closed || this.settle !== undefined) return
    this.settle = setTimeout(() => {
      this.settle = undefined
      void this.check()
    }, this.o.settleMs).unref()
  }

  /** The periodic check: a change found waits for its companion as an event's does. */
  private async poll(): Promise<void> {
    const sig = await signature(this.config).catch((e: unknown) => `unreadable ${errorMessage(e)}`)
    if (sig !== this.loadedSig && sig !== this.failedSig) this.soon()
  }

  private async check(): Promise<void> {
    if (this.checking || this.closed) return
    this.checking = true
    try {
      await this.reloadIfChanged()
    } finally {
      this.checking = false
    }
  }

  private async reloadIfChanged(): Promise<void> {
    const sig = await signature(this.config).catch((e: unknown) => `unreadable ${errorMessage(e)}`)
    if (sig === this.loadedSig || sig === this.failedSig || this.closed) return
    try {
      const options = await load(this.config)
      if (this.closed) return
      this.current = options
      this.loadedSig = sig
      this.failedSig = ''
      this.log.info('TLS files reloaded', { certPath: this.config.certPath })
      for (const l of this.listeners) l(options)
    } catch (e) {
      this.failedSig = sig
      this.log.warn('TLS files not reloaded: the previous ones stay in force', {
        reason: errorMessage(e),
      })
    }
  }
}

function filesOf(c: ServerTlsConfig): Files {
  return { cert: c.certPath, chain: c.intermediateCertsPath, key: c.keyPath, ca: c.caCertPath }
}

/** What identifies the files' contents cheaply: each one's size, mtime and inode. */
async function signature(c: ServerTlsConfig): Promise<string> {
  const parts = await Promise.all(
    Object.values(filesOf(c)).map(async (f) => {
      if (f === undefined) return '-'
      return fileStamp(await stat(f))
    }),
  )
  return parts.join('|')
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
    minVersion: c.protocols.includes('TLSv1.2') ? 'TLSv1.2' : 'TLSv1.3',
    maxVersion: c.protocols.includes('TLSv1.3') ? 'TLSv1.3' : 'TLSv1.2',
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
  // OpenSSL takes a key of another type than the certificate's without complaint (a context can
  // hold an RSA and an EC pair): compare the public keys.
  const matches = new X509Certificate(o.cert as Buffer).checkPrivateKey(
    createPrivateKey(o.key as Buffer),
  )
  if (!matches)
    throw new Error(
      `keyPath ${c.keyPath} with certPath ${c.certPath}: the key does not match the certificate`,
    )
}
