/**
 * A value read from a set of files (a TLS certificate, its key and CAs), read again when one of
 * them changes: the new value replaces the old one and listeners are told. A set that no longer
 * loads (unreadable, not PEM, a key that does not match its certificate) leaves the old value in
 * force; it is read once more at the next check and, if it still fails unchanged, logged in one
 * line. Server TLS (reloading.ts) and the router's client TLS share this one change detector.
 */
import { watch, type FSWatcher } from 'node:fs'
import { stat } from 'node:fs/promises'
import { dirname } from 'node:path'
import { errorMessage } from '../errors.js'
import { fileStamp } from '../file-stamp.js'
import type { Log, LogFields } from '../log.js'

/** How often the files are checked when no change was noticed (a fallback to fs.watch). */
export const TLS_RELOAD_CHECK_MS = 1000
/** A change waits this long for its companion (a certificate, then its key) before reading. */
export const TLS_RELOAD_SETTLE_MS = 200

export interface ReloadOptions {
  readonly checkMs?: number
  readonly settleMs?: number
}

/** What to watch and how to read it. */
export interface FileSet<T> {
  /** The files `load` reads (undefined entries are skipped). */
  readonly paths: readonly (string | undefined)[]
  /** Reads and checks the files together; its error names the file at fault (no contents). */
  readonly load: () => Promise<T>
  /** Logged with each reload line: names and paths, never file contents. */
  readonly fields?: LogFields
}

/**
 * The value of a `FileSet`, kept current. `open` loads it (the load's error is thrown as is);
 * `onChange` listeners get each new value; `close()` stops watching.
 */
export class ReloadingFiles<T> {
  private listeners: Array<(value: T) => void> = []
  private watchers: FSWatcher[] = []
  private readonly timer: NodeJS.Timeout
  private settle: NodeJS.Timeout | undefined
  private failedSig = ''
  /** A signature that failed once: a second failure, a check later, is reported. */
  private suspectSig = ''
  private checking = false
  private closed = false

  private constructor(
    private readonly set: FileSet<T>,
    private value: T,
    private loadedSig: string,
    private readonly log: Log,
    private readonly o: Required<ReloadOptions>,
  ) {
    this.timer = setInterval(() => void this.poll(), o.checkMs).unref()
    this.watchDirs()
  }

  /** Loads `set` and starts watching its files. */
  static async open<T>(
    set: FileSet<T>,
    log: Log,
    o: ReloadOptions = {},
  ): Promise<ReloadingFiles<T>> {
    // Loaded first: its errors name the file at fault.
    const value = await set.load()
    const sig = await signature(set.paths)
    const settings = { checkMs: TLS_RELOAD_CHECK_MS, settleMs: TLS_RELOAD_SETTLE_MS, ...o }
    return new ReloadingFiles(set, value, sig, log, settings)
  }

  /** The value in force. */
  get current(): T {
    return this.value
  }

  onChange(listener: (value: T) => void): void {
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
    const dirs = new Set(this.set.paths.flatMap((f) => (f ? [dirname(f)] : [])))
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

  /**
   * The periodic check: a change it sees waits to settle like one fs.watch reports (a check
   * falling between a key's rename and its certificate's would otherwise read a mismatched pair).
   */
  private async poll(): Promise<void> {
    if (this.checking || this.closed || this.settle !== undefined) return
    if ((await this.changedSignature()) !== undefined) this.soon()
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

  /** The files' signature if it differs from the last one loaded or refused; else undefined. */
  private async changedSignature(): Promise<string | undefined> {
    const sig = await signature(this.set.paths).catch(
      (e: unknown) => `unreadable ${errorMessage(e)}`,
    )
    return sig === this.loadedSig || sig === this.failedSig || this.closed ? undefined : sig
  }

  private async reloadIfChanged(): Promise<void> {
    const sig = await this.changedSignature()
    if (sig === undefined) return
    try {
      const value = await this.set.load()
      if (this.closed) return
      this.value = value
      this.loadedSig = sig
      this.failedSig = ''
      this.suspectSig = ''
      this.log.info('TLS files reloaded', { ...this.set.fields })
      for (const l of this.listeners) l(value)
    } catch (e) {
      // A rotation's companion file may come late (a busy writer): only a second failure of the
      // same files, a check later, is a broken set. The next check reads them again.
      if (this.suspectSig !== sig) {
        this.suspectSig = sig
        return
      }
      this.failedSig = sig
      this.log.warn('TLS files not reloaded: the previous ones stay in force', {
        ...this.set.fields,
        reason: errorMessage(e),
      })
    }
  }
}

/** What identifies the files' contents cheaply: each one's size, mtime and inode. */
async function signature(paths: readonly (string | undefined)[]): Promise<string> {
  const parts = await Promise.all(
    paths.map(async (f) => (f === undefined ? '-' : fileStamp(await stat(f)))),
  )
  return parts.join('|')
}
