/**
 * The `io.l5d.fs` namer: one file per service in `rootDir`, the file name being the service
 * name and its lines the endpoints (format in fs-format.ts). linkerd config:
 *
 *   namers:
 *   - kind: io.l5d.fs
 *     rootDir: disco
 *
 * `/#/io.l5d.fs/web/v1` binds to id `/#/io.l5d.fs/web` with residual `/v1` while `disco/web`
 * exists (`L:namer/fs/.../WatchingNamer.scala`). Unlike linkerd, subdirectories are not services
 * and hidden files are ignored. A file that turns bad or unreadable keeps its last good endpoints.
 */
import { join } from 'node:path'
import { CodedError, unreachable } from '../../lib/errors.js'
import { Cell, PENDING, failed, ok, type ActState, type Activity } from '../../dtabs/activity.js'
import { ADDR_NEG, type Addr, type Name, type Namer } from '../../dtabs/name.js'
import { NEG, leaf, type NameTree } from '../../dtabs/name-tree.js'
import { elemFromText, elemToText, type Path } from '../../dtabs/path.js'
import {
  isServiceName,
  list,
  listSync,
  read,
  readSync,
  type FileRead,
  type Listing,
} from './dir.js'
import { parseAddrFile } from './format.js'
import { DirTrigger } from './trigger.js'

/** The root directory cannot be listed (missing, not a directory, no permission). */
export class FsRootDirError extends CodedError {
  readonly code = 'ERR_FS_ROOT_DIR'
}

/** `rootDir` to watch, `prefix` where the namer is mounted (`/#/io.l5d.fs`), `pollMs` (500). */
export interface FsNamerOptions {
  readonly rootDir: string
  readonly prefix: Path
  readonly pollMs?: number
}

type TreeState = ActState<NameTree<Name>>

const OK_NEG: TreeState = Object.freeze(ok<NameTree<Name>>(NEG))
// Unobserved cached activities beyond this many are dropped (lookups may carry any name).
const MAX_CACHED = 1024
// Residual elements are chars 0..255, so U+0100 cannot occur inside one.
const KEY_SEPARATOR = '\u0100'

/** A service file as last seen: `good` if `addr` came from a file that parsed. */
interface FileEntry {
  readonly sig: string
  readonly text?: string
  readonly addr: Addr
  readonly good: boolean
}

interface TreeEntry {
  readonly svc: string | undefined
  readonly residual: Path
  readonly cell: Cell<TreeState>
  leaf?: TreeState
}

/**
 * The entry after reading a file: a new good parse wins; a bad or unreadable file keeps the
 * last good endpoints (a half-written file must not drop them) and fails only if none exist.
 */
function nextEntry(
  prev: FileEntry | undefined,
  sig: string,
  read: FileRead,
): FileEntry | undefined {
  switch (read.type) {
    case 'missing':
      return undefined
    case 'text':
      return fromText(prev, sig, read.text)
    case 'error':
      if (prev?.good === true) return { ...prev, sig }
      return { sig, addr: { type: 'failed', cause: read.message }, good: false }
    default:
      return unreachable(read)
  }
}

function fromText(prev: FileEntry | undefined, sig: string, text: string): FileEntry {
  // Same text, same Addr object: subscribers are told only of real changes.
  if (text === prev?.text) return { ...prev, sig }
  const addr = parseAddrFile(text)
  if (addr.type !== 'bound' && prev?.good === true) return { ...prev, sig }
  return { sig, text, addr, good: addr.type === 'bound' }
}

/** The service a residual names, if its first element is a safe file name in UTF-8. */
function serviceOf(residual: Path): string | undefined {
  const elem = residual[0]
  if (elem === undefined) return undefined
  const name = elemToText(elem)
  return elemFromText(name) === elem && isServiceName(name) ? name : undefined
}

/**
 * Watches `rootDir` and answers lookups of `[svc, ...rest]`: a leaf bound to
 * `{ id: [...prefix, svc], path: rest }` while the file `svc` exists, else `neg` (also for an
 * empty residual and for names that are not plain file names); every lookup fails while the
 * directory cannot be listed, and recovers when it can. The constructor looks synchronously, so
 * first lookups are settled; changes are published within about `pollMs` (50 ms with fs.watch).
 * The same residual gives the same Activity while it is cached (always, while observed), the
 * same service the same addr Var. `close()` releases the watch and timers; values then freeze.
 */
export class FsNamer implements Namer {
  private readonly rootDir: string
  private readonly prefix: Path
  private readonly trigger: DirTrigger
  private files = new Map<string, FileEntry>()
  private failure: TreeState | undefined
  private readonly trees = new Map<string, TreeEntry>()
  // Observed entries, kept current even if dropped from `trees`.
  private readonly observed = new Set<TreeEntry>()
  private readonly addrs = new Map<string, Cell<Addr>>()
  private closed = false

  constructor({ rootDir, prefix, pollMs = 500 }: FsNamerOptions) {
    this.rootDir = rootDir
    this.prefix = prefix
    const listing = this.lookSync()
    this.trigger = new DirTrigger(rootDir, pollMs, (dirty) => this.look(dirty))
    this.trigger.follow(listing.ok ? listing.dirId : undefined)
  }

  lookup(residual: Path): Activity<NameTree<Name>> {
    const key = residual.join(KEY_SEPARATOR)
    return (this.trees.get(key) ?? this.addTree(key, residual)).cell
  }

  /** Stops watching; idempotent. Activities and addr Vars keep their last values. */
  close(): void {
    this.closed = true
    this.trigger.close()
  }

  private fileOf(name: string): string {
    return join(this.rootDir, name)
  }

  private addTree(key: string, residual: Path): TreeEntry {
    if (this.trees.size >= MAX_CACHED) this.evictUnobserved()
    const entry: TreeEntry = {
      svc: serviceOf(residual),
      residual,
      cell: new Cell<TreeState>(PENDING, () => this.observe(entry)),
    }
    entry.cell.set(this.stateOf(entry))
    this.trees.set(key, entry)
    return entry
  }

  private observe(entry: TreeEntry): () => void {
    this.observed.add(entry)
    entry.cell.set(this.stateOf(entry))
    return () => this.observed.delete(entry)
  }

  // Oldest first, down to half, so entries just looked up and not yet subscribed survive.
  private evictUnobserved(): void {
    for (const [key, entry] of this.trees) {
      if (this.trees.size <= MAX_CACHED / 2) return
      if (entry.cell.observers === 0) this.trees.delete(key)
    }
  }

  private stateOf(entry: TreeEntry): TreeState {
    if (this.failure !== undefined) return this.failure
    if (entry.svc === undefined || !this.files.has(entry.svc)) return OK_NEG
    entry.leaf ??= ok(
      leaf({
        id: [...this.prefix, ...entry.residual.slice(0, 1)],
        path: entry.residual.slice(1),
        addr: this.addrOf(entry.svc),
      }),
    )
    return entry.leaf
  }

  private addrOf(svc: string): Cell<Addr> {
    let cell = this.addrs.get(svc)
    if (cell === undefined) {
      cell = new Cell(this.files.get(svc)?.addr ?? ADDR_NEG)
      this.addrs.set(svc, cell)
    }
    return cell
  }

  // The first look reads every file synchronously: a one-shot CLI binds right after `new`.
  private lookSync(): Listing {
    const listing = listSync(this.rootDir)
    const names = listing.ok ? [...listing.files.keys()] : []
    this.apply(listing, new Map(names.map((name) => [name, readSync(this.fileOf(name))])))
    return listing
  }

  private async look(dirty: ReadonlySet<string>): Promise<string | undefined> {
    const listing = await list(this.rootDir)
    const names = listing.ok
      ? [...listing.files].filter(([n, sig]) => this.stale(n, sig, dirty))
      : []
    const reads = await Promise.all(
      names.map(async ([name]) => [name, await read(this.fileOf(name))] as const),
    )
    if (this.closed) return undefined
    this.apply(listing, new Map(reads))
    return listing.ok ? listing.dirId : undefined
  }

  // Files that failed are read again each time: the cause may have been transient.
  private stale(name: string, sig: string, dirty: ReadonlySet<string>): boolean {
    const prev = this.files.get(name)
    return prev === undefined || prev.sig !== sig || !prev.good || dirty.has(name)
  }

  /** Takes in a look (`reads` holds the files read; others are unchanged) and publishes it. */
  private apply(listing: Listing, reads: ReadonlyMap<string, FileRead>): void {
    if (!listing.ok) return this.fail(listing.message)
    const files = new Map<string, FileEntry>()
    for (const [name, sig] of listing.files) {
      const read = reads.get(name)
      const next =
        read === undefined ? this.files.get(name) : nextEntry(this.files.get(name), sig, read)
      if (next !== undefined) files.set(name, next)
    }
    this.files = files
    this.failure = undefined
    for (const [svc, cell] of this.addrs) cell.set(files.get(svc)?.addr ?? ADDR_NEG)
    this.publishTrees()
  }

  // Addr Vars keep their values: a directory that is briefly unreadable must not drop endpoints.
  private fail(message: string): void {
    const text = `io.l5d.fs: ${message}`
    if (this.failure?.type !== 'failed' || this.failure.error.message !== text) {
      this.failure = failed(new FsRootDirError(text))
    }
    this.publishTrees()
  }

  private publishTrees(): void {
    for (const entry of this.trees.values()) entry.cell.set(this.stateOf(entry))
    for (const entry of this.observed) entry.cell.set(this.stateOf(entry))
  }
}
