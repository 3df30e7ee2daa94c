import { mkdirSync, readFileSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { errorCode } from '../../../lib/errors.js'
import type { Log } from '../../../lib/log.js'
import { removeLeftover, writeAtomicSync } from './atomic.js'
import { StoreIoError } from './errors.js'
import { decode, encode, type Entry, type FileState } from './format.js'
import { acquireLock } from './lock.js'
import { FileBackend } from './backend.js'

export interface FileStoreOptions {
  /** The data file (resolved against the working directory). */
  readonly path: string
  /** Namespace → dtab text, written at version 1 when the file does not exist yet. */
  readonly preload?: ReadonlyMap<string, string>
  readonly log: Log
}

/**
 * Opens the `io.l5d.file` store (synchronously: this is namerd's startup): creates the
 * directory, takes the file's lock (`StoreLockedError` if another process holds it), removes a
 * temp file a crash left, and reads the file, or creates it with the preload if it is missing.
 * A file that does not read is a `StoreCorruptError`: never start empty over someone's dtabs.
 */
export function openFileBackend(options: FileStoreOptions): FileBackend {
  const path = resolve(options.path)
  try {
    mkdirSync(dirname(path), { recursive: true })
  } catch (e) {
    throw new StoreIoError(path, 'creating its directory', e)
  }
  const release = acquireLock(path, options.log)
  try {
    if (removeLeftover(path)) options.log.warn('removed a partly written dtab file', { path })
    let state = load(path)
    if (state === undefined) {
      state = initial(options.preload ?? new Map())
      writeAtomicSync(path, encode(state))
    }
    options.log.info('dtab file opened', { path, namespaces: state.namespaces.size })
    return new FileBackend(path, state, release, options.log)
  } catch (e) {
    release()
    throw e
  }
}

function load(path: string): FileState | undefined {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (e) {
    if (errorCode(e) === 'ENOENT') return undefined
    throw new StoreIoError(path, 'reading', e)
  }
  return decode(text, path)
}

function initial(preload: ReadonlyMap<string, string>): FileState {
  let rev = 0n
  const namespaces = new Map<string, Entry>()
  for (const [ns, text] of preload) {
    rev++
    namespaces.set(ns, { text, n: rev, rev })
  }
  return { rev, namespaces }
}
