/**
 * Single ownership of a data file: `<path>.lock`, created with O_EXCL, holds the owner's pid.
 * A lock whose pid is not alive is stale (its owner crashed) and is taken over. A lock holding
 * this process's own pid but not taken by it is stale too: in a container namerd often has the
 * same pid after every restart.
 */
import { closeSync, openSync, readFileSync, renameSync, unlinkSync, writeSync } from 'node:fs'
import { CodedError, errorCode } from '../../../lib/errors.js'
import type { Log } from '../../../lib/log.js'
import { StoreIoError, StoreLockedError } from './errors.js'

/** Lock files this process holds (two stores in one process must not share a file either). */
const held = new Set<string>()

/**
 * Takes the lock of `path` or throws `StoreLockedError` (`StoreIoError` if the lock cannot be
 * read or written); returns how to release it.
 */
export function acquireLock(path: string, log: Log): () => void {
  try {
    return take(path, `${path}.lock`, log)
  } catch (e) {
    if (e instanceof CodedError) throw e
    throw new StoreIoError(path, 'taking the lock', e)
  }
}

function take(path: string, lock: string, log: Log): () => void {
  if (held.has(lock)) throw new StoreLockedError(path, process.pid)
  for (let attempt = 0; attempt < 5; attempt++) {
    if (create(lock)) {
      held.add(lock)
      return () => release(lock)
    }
    const owner = readOwner(lock)
    if (owner === undefined) continue // released meanwhile: try again
    const pid = parsePid(owner)
    if (pid !== undefined && alive(pid)) throw new StoreLockedError(path, pid)
    log.warn('taking over a stale dtab file lock', { lock, pid: pid ?? owner })
    removeStale(path, lock, owner)
  }
  throw new StoreLockedError(path, undefined)
}

function create(lock: string): boolean {
  let fd: number
  try {
    fd = openSync(lock, 'wx', 0o644)
  } catch (e) {
    if (errorCode(e) === 'EEXIST') return false
    throw e
  }
  try {
    writeSync(fd, `${process.pid}\n`)
  } finally {
    closeSync(fd)
  }
  return true
}

/**
 * The lock's content; undefined if it is gone. An empty lock may be one being created this
 * instant (created, pid not yet written): look again a few times before calling it stale.
 */
function readOwner(lock: string): string | undefined {
  for (let i = 0; ; i++) {
    let text: string
    try {
      text = readFileSync(lock, 'utf8')
    } catch (e) {
      if (errorCode(e) === 'ENOENT') return undefined
      throw e
    }
    if (text !== '' || i >= 5) return text
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20)
  }
}

function alive(pid: number): boolean {
  if (pid === process.pid || pid === 0) return false // not ours (see `held`): a previous life
  try {
    process.kill(pid, 0)
    return true
  } catch (e) {
    return errorCode(e) === 'EPERM' // alive, another user's
  }
}

/**
 * Removes the stale lock that held `owner`. Moving it aside first (rename is atomic) makes sure
 * that, when two processes take over at once, only one removes it and neither removes the other
 * one's fresh lock: if the moved file is not the stale one, it is put back and the lock is busy.
 */
function removeStale(path: string, lock: string, owner: string): void {
  const aside = `${lock}.stale-${process.pid}`
  try {
    renameSync(lock, aside)
  } catch (e) {
    if (errorCode(e) === 'ENOENT') return
    throw e
  }
  const moved = readFileSync(aside, 'utf8')
  if (moved === owner) return unlinkSync(aside)
  renameSync(aside, lock)
  throw new StoreLockedError(path, parsePid(moved))
}

function parsePid(text: string): number | undefined {
  return /^[0-9]{1,10}\n?$/.test(text) ? Number(text) : undefined
}

function release(lock: string): void {
  if (!held.delete(lock)) return
  try {
    if (readFileSync(lock, 'utf8') === `${process.pid}\n`) unlinkSync(lock)
  } catch {
    // gone already: nothing to release
  }
}
