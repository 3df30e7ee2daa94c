/**
 * Errors of the `io.l5d.file` store. Each names the data file, so an operator knows which file
 * to look at without reading the config.
 */
import { CodedError, errorMessage } from '../../../lib/errors.js'

/**
 * Reading, writing or syncing the data file (or its directory) failed: disk full, permissions,
 * a path that is not a directory. A failed write changed nothing that namerd shows.
 */
export class StoreIoError extends CodedError {
  readonly code = 'ERR_STORE_IO'
  constructor(
    readonly path: string,
    what: string,
    cause: unknown,
    /** The new content is already in place (only making it durable failed). */
    readonly applied = false,
  ) {
    super(`dtab file ${path}: ${what} failed: ${errorMessage(cause)}`, { cause })
  }
}

/**
 * The data file exists but is not a dtab file this namerd can read. namerd refuses to start
 * rather than start empty and lose the dtabs in it.
 */
export class StoreCorruptError extends CodedError {
  readonly code = 'ERR_STORE_CORRUPT'
  constructor(
    readonly path: string,
    detail: string,
    options?: ErrorOptions,
  ) {
    super(
      `dtab file ${path} cannot be read: ${detail}; restore it from a backup or move it away to start empty`,
      options,
    )
  }
}

/** Another live process (or this one) already owns the data file. */
export class StoreLockedError extends CodedError {
  readonly code = 'ERR_STORE_LOCKED'
  constructor(
    readonly path: string,
    readonly pid: number | undefined,
  ) {
    const who = pid === undefined ? 'another process' : `process ${pid}`
    super(
      `dtab file ${path} is in use by ${who} (lock ${path}.lock); run one namerd per file, or remove the lock if that process is not a namerd`,
    )
  }
}
