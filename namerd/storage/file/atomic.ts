/**
 * Atomic, durable replacement of a file: the new content goes to a temp file in the same
 * directory, which is fsynced, renamed over the target (rename is atomic within a filesystem)
 * and followed by an fsync of the directory, so that after a crash the target holds either the
 * old content or the new one, complete, and a finished write survives a power loss.
 */
import { closeSync, fsyncSync, openSync, renameSync, unlinkSync, writeFileSync } from 'node:fs'
import { open, rename, rm } from 'node:fs/promises'
import { dirname } from 'node:path'
import { errorCode } from '../../../lib/errors.js'
import { StoreIoError } from './errors.js'

/** The temp file of `path`. One name: writes are serialized and the file has one owner. */
export function tempPath(path: string): string {
  return `${path}.tmp`
}

/** Replaces `path` with `data`; resolves once durable. Failures are `StoreIoError`s. */
export async function writeAtomic(path: string, data: string): Promise<void> {
  const tmp = tempPath(path)
  try {
    const fh = await open(tmp, 'w', 0o644)
    try {
      await fh.writeFile(data)
      await fh.sync()
    } finally {
      await fh.close()
    }
    await rename(tmp, path)
  } catch (e) {
    // Not recursive: the temp path is only ever a file of ours.
    await rm(tmp, { force: true }).catch(() => {})
    throw new StoreIoError(path, 'writing', e)
  }
  try {
    const dir = await open(dirname(path), 'r')
    try {
      await dir.sync()
    } finally {
      await dir.close()
    }
  } catch (e) {
    // The rename has happened: the file holds the new content whatever we report.
    if (!unsupported(e)) throw new StoreIoError(path, 'syncing the directory', e, true)
  }
}

/** `writeAtomic` for startup, before the event loop matters. */
export function writeAtomicSync(path: string, data: string): void {
  const tmp = tempPath(path)
  try {
    const fd = openSync(tmp, 'w', 0o644)
    try {
      writeFileSync(fd, data)
      fsyncSync(fd)
    } finally {
      closeSync(fd)
    }
    renameSync(tmp, path)
    syncDirSync(dirname(path))
  } catch (e) {
    removeQuietly(tmp)
    throw new StoreIoError(path, 'writing', e)
  }
}

/** Removes a temp file a crash left behind; true if there was one. */
export function removeLeftover(path: string): boolean {
  try {
    unlinkSync(tempPath(path))
    return true
  } catch (e) {
    if (errorCode(e) === 'ENOENT') return false
    throw new StoreIoError(path, `removing the leftover ${tempPath(path)}`, e)
  }
}

function syncDirSync(dir: string): void {
  try {
    const fd = openSync(dir, 'r')
    try {
      fsyncSync(fd)
    } finally {
      closeSync(fd)
    }
  } catch (e) {
    if (!unsupported(e)) throw e
  }
}

/** Filesystems that cannot fsync a directory say so with EINVAL; nothing more can be done. */
function unsupported(e: unknown): boolean {
  return errorCode(e) === 'EINVAL'
}

function removeQuietly(path: string): void {
  try {
    unlinkSync(path)
  } catch {
    // best effort: the next start removes it
  }
}
