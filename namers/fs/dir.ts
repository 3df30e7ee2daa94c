/**
 * The io.l5d.fs namer's view of its root directory: listing the service files with a signature
 * that changes when a file is written or replaced, reading one file under linkerd's size cap,
 * and `DirTrigger`, which decides when to look again. I/O failures are values, never thrown.
 */
import * as fs from 'node:fs'
import * as fsp from 'node:fs/promises'
import { join } from 'node:path'
import { errorCode, errorMessage } from '../../lib/errors.js'

/** linkerd's `Watcher.MaxFileSize` (500 KiB): a bigger file is unreadable, not parsed. */
export const MAX_FILE_BYTES = 500 * 1024

/** One look at the directory: its identity and each service file's signature, or why not. */
export type Listing =
  | { readonly ok: true; readonly dirId: string; readonly files: ReadonlyMap<string, string> }
  | { readonly ok: false; readonly message: string }

/** A service file's text, or that it vanished meanwhile, or why it could not be read. */
export type FileRead =
  | { readonly type: 'text'; readonly text: string }
  | { readonly type: 'missing' }
  | { readonly type: 'error'; readonly message: string }

/**
 * True if a directory entry name can be a service. Hidden names are not services: editors and
 * atomic writers put their temporary files there before renaming them into place.
 */
export function isServiceName(name: string): boolean {
  return name !== '' && !name.startsWith('.') && !name.includes('/') && !name.includes('\0')
}

// Inode, size and both times: a rename into place changes the inode, an edit the times.
const signature = (st: fs.BigIntStats): string => `${st.ino}:${st.size}:${st.mtimeNs}:${st.ctimeNs}`
const dirIdOf = (st: fs.BigIntStats): string => `${st.dev}:${st.ino}`

function filesOf(names: string[], stats: (fs.BigIntStats | undefined)[]): Map<string, string> {
  const files = new Map<string, string>()
  names.forEach((name, i) => {
    const st = stats[i]
    if (st?.isFile() === true) files.set(name, signature(st))
  })
  return files
}

function listFailure(dir: string, e: unknown): Listing {
  return { ok: false, message: `cannot list rootDir ${dir}: ${errorMessage(e)}` }
}

/** Lists `dir` synchronously (for the namer's first look, so first lookups know the files). */
export function listSync(dir: string): Listing {
  try {
    const dirId = dirIdOf(fs.statSync(dir, { bigint: true }))
    const names = fs.readdirSync(dir).filter(isServiceName)
    return { ok: true, dirId, files: filesOf(names, names.map(statSyncOrUndefined(dir))) }
  } catch (e) {
    return listFailure(dir, e)
  }
}

// A file that vanishes or cannot be stat'ed between readdir and stat is not listed.
const statSyncOrUndefined =
  (dir: string) =>
  (name: string): fs.BigIntStats | undefined => {
    try {
      return fs.statSync(join(dir, name), { bigint: true })
    } catch {
      return undefined
    }
  }

/** Lists `dir` (symlinks followed; only regular files with service names are listed). */
export async function list(dir: string): Promise<Listing> {
  try {
    const dirId = dirIdOf(await fsp.stat(dir, { bigint: true }))
    const names = (await fsp.readdir(dir)).filter(isServiceName)
    const stats = await Promise.all(
      names.map((name) => fsp.stat(join(dir, name), { bigint: true }).catch(() => undefined)),
    )
    return { ok: true, dirId, files: filesOf(names, stats) }
  } catch (e) {
    return listFailure(dir, e)
  }
}

// O_NONBLOCK: a file swapped for a FIFO after listing must not hang the read.
const OPEN_FLAGS = fs.constants.O_RDONLY | fs.constants.O_NONBLOCK

function readFailure(file: string, e: unknown): FileRead {
  if (errorCode(e) === 'ENOENT') return { type: 'missing' }
  return { type: 'error', message: `cannot read ${file}: ${errorMessage(e)}` }
}

function unreadable(file: string, st: { isFile(): boolean; size: number }): FileRead | undefined {
  if (!st.isFile()) return { type: 'error', message: `${file} is not a regular file` }
  if (st.size <= MAX_FILE_BYTES) return undefined
  return { type: 'error', message: `${file} is ${st.size} bytes, over ${MAX_FILE_BYTES}` }
}

/** Reads one service file as UTF-8 synchronously; the descriptor is always closed. */
export function readSync(file: string): FileRead {
  let fd: number | undefined
  try {
    fd = fs.openSync(file, OPEN_FLAGS)
    return unreadable(file, fs.fstatSync(fd)) ?? { type: 'text', text: fs.readFileSync(fd, 'utf8') }
  } catch (e) {
    return readFailure(file, e)
  } finally {
    if (fd !== undefined) fs.closeSync(fd)
  }
}

/** Reads one service file as UTF-8; the handle is always closed. */
export async function read(file: string): Promise<FileRead> {
  let handle: fsp.FileHandle | undefined
  try {
    handle = await fsp.open(file, OPEN_FLAGS)
    return (
      unreadable(file, await handle.stat()) ?? { type: 'text', text: await handle.readFile('utf8') }
    )
  } catch (e) {
    return readFailure(file, e)
  } finally {
    await handle?.close()
  }
}
