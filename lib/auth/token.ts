/**
 * Where a bearer token comes from, and reading it. The token is a secret: it is never put in
 * an error message, a log line or an admin page; only the file's path or the variable's name is.
 */
import { readFileSync } from 'node:fs'
import { CodedError, errorCode } from '../errors.js'

/** `tokenFile: <path>` or `tokenEnv: <name>` (never the token itself: config files are shown). */
export type TokenSource = { readonly tokenFile: string } | { readonly tokenEnv: string }

/** A token that cannot be read at start: the file or variable is named, its content never. */
export class TokenError extends CodedError {
  readonly code = 'ERR_AUTH_TOKEN'
}

/** `file /etc/namerd/token` or `environment variable NAMERD_TOKEN`, for messages. */
export function describeSource(source: TokenSource): string {
  return 'tokenFile' in source
    ? `file ${source.tokenFile}`
    : `environment variable ${source.tokenEnv}`
}

/**
 * What `Authorization: Bearer` can carry (RFC 6750's b64token): letters, digits, `-._~+/`, then
 * `=` padding. Anything else (a space, a line break, a non-ASCII character) no client can send:
 * every request would be refused, or never sent at all.
 */
const B64TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/

/**
 * The token of `source`, trimmed of surrounding white space (a file usually ends with a
 * newline). Missing, unreadable, empty or not a b64token: a `TokenError` naming the source only.
 */
export function readToken(
  source: TokenSource,
  env: Readonly<Record<string, string | undefined>> = process.env,
): string {
  const raw = 'tokenFile' in source ? readTokenFile(source.tokenFile) : env[source.tokenEnv]
  if (raw === undefined) throw new TokenError(`bearer token: ${describeSource(source)} is not set`)
  const token = raw.trim()
  if (token === '') throw new TokenError(`bearer token: ${describeSource(source)} is empty`)
  if (!B64TOKEN.test(token)) {
    const allowed = 'letters, digits, "-._~+/", then "=" padding'
    throw new TokenError(
      `bearer token: ${describeSource(source)} has characters other than ${allowed}`,
    )
  }
  return token
}

function readTokenFile(path: string): string {
  try {
    return readFileSync(path, 'utf8')
  } catch (e) {
    // Only the system error's code: its message could in principle quote more than the path.
    const why = errorCode(e) ?? 'unreadable'
    throw new TokenError(`bearer token: cannot read file ${path} (${why})`)
  }
}
