/**
 * A watched dtab file (the `io.l5d.fs` interpreter's `dtabFile`). Its state is `pending` until
 * the file is first read, then `ok` with the parsed dtab ++ the router's dtab. A later edit that
 * does not parse, or a file that disappears, keeps the last good dtab and is logged; before any
 * good read, a parse error is the `failed` state (so requests fail with the reason rather than
 * wait). The first read is synchronous (bindings right after start are settled); changes are
 * seen within about `pollMs` (500 ms), usually within 50 ms thanks to fs.watch.
 */
import { readFileSync, statSync, type BigIntStats } from 'node:fs'
import { readFile, stat } from 'node:fs/promises'
import { basename, dirname } from 'node:path'
import { errorMessage } from '../../lib/errors.js'
import {
  Cell,
  PENDING,
  concatDtabs,
  failed,
  ok,
  readDtab,
  type ActState,
  type Dtab,
} from '../../dtabs/index.js'
import { DirTrigger } from '../../namers/fs/trigger.js'

export interface DtabFileOptions {
  readonly file: string
  /** Appended to the file's dentries (the router's `dtab`), so it takes precedence. */
  readonly routerDtab: Dtab
  readonly log: (message: string) => void
  readonly pollMs?: number
}

type Read = { readonly sig: string; readonly text: string } | { readonly error: string }

const signature = (st: BigIntStats): string => `${st.ino}:${st.size}:${st.mtimeNs}:${st.ctimeNs}`
const dirIdOf = (st: BigIntStats): string => `${st.dev}:${st.ino}`

export class DtabFile {
  /** `ok(file dtab ++ router dtab)` once read; see the file header. */
  readonly state: Cell<ActState<Dtab>>
  private readonly file: string
  private readonly routerDtab: Dtab
  private readonly log: (message: string) => void
  private readonly trigger: DirTrigger
  private sig: string | undefined
  /** The text of the dtab in force (the last one that parsed). */
  private text: string | undefined
  private good = false
  private lastProblem: string | undefined
  private closed = false

  constructor({ file, routerDtab, log, pollMs = 500 }: DtabFileOptions) {
    this.file = file
    this.routerDtab = routerDtab
    this.log = log
    this.state = new Cell<ActState<Dtab>>(PENDING)
    this.take(readSync(file))
    this.trigger = new DirTrigger(dirname(file), pollMs, () => this.look())
    this.trigger.follow(dirIdSync(dirname(file)))
  }

  /** Stops watching; idempotent. The state keeps its last value. */
  close(): void {
    this.closed = true
    this.trigger.close()
  }

  private async look(): Promise<string | undefined> {
    const dirId = await stat(dirname(this.file), { bigint: true }).then(dirIdOf, () => undefined)
    const read = await readAsync(this.file, this.sig)
    if (!this.closed && read !== undefined) this.take(read)
    return dirId
  }

  private take(read: Read): void {
    if ('error' in read) return this.problem(`${read.error}; ${this.keeping()}`)
    this.sig = read.sig
    if (read.text === this.text) {
      this.lastProblem = undefined
      return
    }
    let dtab: Dtab
    try {
      dtab = readDtab(read.text)
    } catch (e) {
      this.problem(`${errorMessage(e)}; ${this.keeping()}`)
      if (!this.good) this.state.set(failed(e instanceof Error ? e : new Error(String(e))))
      return
    }
    if (this.good || this.lastProblem !== undefined) {
      this.log(`${this.where()}: dtab loaded (${dtab.length} dentries)`)
    }
    this.text = read.text
    this.good = true
    this.lastProblem = undefined
    this.state.set(ok(concatDtabs(dtab, this.routerDtab)))
  }

  private keeping(): string {
    return this.good ? 'keeping the last good dtab' : 'no dtab yet'
  }

  /** Logs a problem once (not again at every look while it lasts). */
  private problem(message: string): void {
    if (message === this.lastProblem) return
    this.lastProblem = message
    this.log(`${this.where()}: ${message}`)
  }

  private where(): string {
    return `io.l5d.fs interpreter: ${this.file}`
  }
}

function readSync(file: string): Read {
  try {
    const sig = signature(statSync(file, { bigint: true }))
    return { sig, text: readFileSync(file, 'utf8') }
  } catch (e) {
    return { error: describe(e, file) }
  }
}

/** The file, unless its signature is still `knownSig` (undefined: unchanged). */
async function readAsync(file: string, knownSig: string | undefined): Promise<Read | undefined> {
  try {
    const sig = signature(await stat(file, { bigint: true }))
    if (sig === knownSig) return undefined
    return { sig, text: await readFile(file, 'utf8') }
  } catch (e) {
    return { error: describe(e, file) }
  }
}

function describe(e: unknown, file: string): string {
  const code = (e as { code?: unknown }).code
  if (code === 'ENOENT') return `${basename(file)} does not exist`
  return `cannot read: ${errorMessage(e)}`
}

function dirIdSync(dir: string): string | undefined {
  try {
    return dirIdOf(statSync(dir, { bigint: true }))
  } catch {
    return undefined
  }
}
