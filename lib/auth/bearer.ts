/**
 * Bearer-token checks for protected routes (namerd's writes, the admins' shutdown). Tokens are
 * compared in constant time: both sides are hashed with SHA-256 first, so the comparison always
 * runs on 32 bytes and leaks neither the content nor the length of the expected token.
 */
import { createHash, timingSafeEqual } from 'node:crypto'
import { statSync } from 'node:fs'
import { CodedError } from '../errors.js'
import { fileStamp } from '../file-stamp.js'
import { readToken, type TokenSource } from './token.js'

/** A refused request: `ERR_UNAUTHENTICATED` (no token: 401) or `ERR_FORBIDDEN` (wrong: 403). */
export class AuthError extends CodedError {
  constructor(
    readonly code: 'ERR_UNAUTHENTICATED' | 'ERR_FORBIDDEN',
    message: string,
  ) {
    super(message)
  }
}

/** How often a token file's modification time is checked for a rotated token. */
export const TOKEN_RECHECK_MS = 2000

/** True when `given` equals `expected`, in time independent of both. */
export function tokensEqual(expected: string, given: string): boolean {
  return timingSafeEqual(sha256(expected), sha256(given))
}

function sha256(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest()
}

/** The token of an `Authorization: Bearer <token>` header, or undefined if there is none. */
export function bearerOf(header: string | undefined): string | undefined {
  const m = header === undefined ? null : /^\s*bearer\s+(\S+)\s*$/i.exec(header)
  return m?.[1]
}

/**
 * The token a protected route wants: read at construction (throws `TokenError`), and for a
 * `tokenFile` read again when the file changes (rotation). A failed re-read keeps the token in
 * use and is reported to `onReloadError` (with the file's path, never a token).
 */
export class BearerGuard {
  #token: string
  readonly #source: TokenSource
  readonly #onReloadError: (message: string) => void
  /** The token file's stat when last read, and the timer comparing it. */
  #seen = ''
  #timer: NodeJS.Timeout | undefined

  constructor(
    source: TokenSource,
    options: { readonly onReloadError?: (message: string) => void } = {},
  ) {
    this.#source = source
    this.#onReloadError = options.onReloadError ?? (() => {})
    // The stat is taken before the read: a write between the two is seen at the next check.
    if ('tokenFile' in source) this.#seen = statOf(source.tokenFile)
    this.#token = readToken(source)
    if ('tokenFile' in source) {
      const file = source.tokenFile
      this.#timer = setInterval(() => this.#check(file), TOKEN_RECHECK_MS).unref()
    }
  }

  /** Reads the file again when its size, time or inode changed since the last read. */
  #check(file: string): void {
    const now = statOf(file)
    if (now === this.#seen) return
    this.#seen = now
    this.#reload()
  }

  /** Reads the token again (a file rotated, or SIGHUP); keeps the old one if that fails. */
  readonly #reload = (): void => {
    try {
      this.#token = readToken(this.#source)
    } catch (e) {
      this.#onReloadError(`${(e as Error).message}; the previous token stays in use`)
    }
  }

  reload(): void {
    this.#reload()
  }

  /** Throws `AuthError` unless `authorization` carries the token; who passed: `token`. */
  check(authorization: string | undefined): string {
    const given = bearerOf(authorization)
    if (given === undefined) {
      throw new AuthError(
        'ERR_UNAUTHENTICATED',
        'authentication required: send "Authorization: Bearer <token>"',
      )
    }
    if (!tokensEqual(this.#token, given)) {
      throw new AuthError('ERR_FORBIDDEN', 'the bearer token given is not accepted here')
    }
    return 'token'
  }

  /** Stops watching the token file. */
  close(): void {
    clearInterval(this.#timer)
  }
}

/** The file's stamp (lib/file-stamp.ts), '' if it cannot be read. */
function statOf(file: string): string {
  try {
    return fileStamp(statSync(file))
  } catch {
    return ''
  }
}
