import { mkdirSync, readFileSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { errorCode } from '../../../lib/errors.js'
import type { Log } from '../../../lib/log.js'
import { removeLeftover, writeAtomicSync } from './atomic.js'
import { StoreIoError } from './errors.js'
import { DEFAULT_HISTORY_SIZE } from '../backend.js'
import { decode, encode, type Entry, type FileState } from './format.js'
import { keepNewest, pastOf, type Past } from './history.js'
import { acquireLock } from './lock.js'
import { FileBackend } from './backend.js'

export interface FileStoreOptions {
  /** The data file (resolved against the working directory). */
  readonly path: string
  /** Namespace → dtab text, written at version 1 when the file does not exist yet. */
  readonly preload?: ReadonlyMap<string, string>
  readonly log: Log
  /** Past values kept per namespace (default DEFAULT_HISTORY_SIZE). */
  readonly historySize?: number
}

/**
 * Opens the `io.l5d.file` store (synchronously: this is namerd's startup): creates the
 * directory, takes the file's lock (`StoreLockedError` if another process holds it), removes a
 * temp file a crash left, and reads the file, or creates it with the preload if it is missing.
 * A file that does not read is a `StoreCorruptError`: never start empty over someone's dtabs
 * (history entries that do not read are logged and left out: see history.ts).
 */
export function openFileBackend(options: FileStoreOptions): FileBackend {
  const path = resolve(options.path)
  try {
    mkdirSync(dirname(path), { recursive: true })
  } catch (e) {
    throw new StoreIoError(path, 'creating its directory', e)
  }
  const { log } = options
  const historySize = options.historySize ?? DEFAULT_HISTORY_SIZE
  const release = acquireLock(path, log)
  try {
    if (removeLeftover(path)) log.warn('removed a partly written dtab file', { path })
    let state = load(path, log)
    if (state === undefined) {
      state = initial(options.preload ?? new Map())
      writeAtomicSync(path, encode(state))
    }
    state = { ...state, history: keepNewest(state.history, historySize) }
    log.info('dtab file opened', { path, namespaces: state.namespaces.size })
    return new FileBackend(path, state, release, log, historySize)
  } catch (e) {
    release()
    throw e
  }
}

function load(path: string, log: Log): FileState | undefined {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (e) {
    if (errorCode(e) === 'ENOENT') return undefined
    throw new StoreIoError(path, 'reading', e)
  }
  const { state, skipped } = decode(text, path)
  if (skipped.length > 0) {
    // The first ones say what is wrong; a whole list could be as long as the file.
    const entries = skipped.slice(0, 10)
    log.warn('dtab history entries skipped: they do not read', {
      path,
      entries,
      count: skipped.length,
    })
  }
  return state
}

/** The preload (each namespace created as by `create`), each with its first history entry. */
function initial(preload: ReadonlyMap<string, string>): FileState {
  let rev = 0n
  const namespaces = new Map<string, Entry>()
  const history = new Map<string, Past[]>()
  const note = { at: Date.now(), message: 'preloaded' }
  for (const [ns, text] of preload) {
    rev++
    namespaces.set(ns, { text, n: rev, rev })
    history.set(ns, [pastOf(rev, rev, text, note)])
  }
  return { rev, namespaces, history }
}
