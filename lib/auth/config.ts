/**
 * The `auth` settings of namerd's `io.l5d.httpController` and of both admins: where a bearer
 * token comes from. Not linkerd keys (linkerd 1 has none of this).
 */
import { ConfigError, type Section } from '../config/section.js'
import type { TokenSource } from './token.js'

/**
 * A token source: exactly one of `tokenFile` and `tokenEnv`. A literal `token` is refused (the
 * config file is shown on the admin page and kept in version control); `identities` (an mTLS
 * allow-list) is refused until the interface can serve TLS.
 */
export function parseTokenSource(s: Section): TokenSource {
  if (s.has('token')) {
    throw new ConfigError(
      s.where('token'),
      'a token is never written in the config file; use tokenFile (a path) or tokenEnv (an environment variable)',
    )
  }
  if (s.has('identities')) {
    throw new ConfigError(
      s.where('identities'),
      'client identities need TLS on this interface, which is not supported here yet',
    )
  }
  const file = nonEmpty(s, 'tokenFile')
  const env = nonEmpty(s, 'tokenEnv')
  s.done()
  if (file !== undefined && env !== undefined)
    throw new ConfigError(s.at, 'give one of tokenFile and tokenEnv, not both')
  if (file !== undefined) return { tokenFile: file }
  if (env !== undefined) return { tokenEnv: env }
  throw new ConfigError(s.at, 'expected tokenFile (a path) or tokenEnv (a variable name)')
}

function nonEmpty(s: Section, key: string): string | undefined {
  const v = s.optionalString(key)
  if (v?.trim() === '') throw new ConfigError(s.where(key), 'must not be empty')
  return v
}

/**
 * A protection that may be switched off: absent or `none` is open (undefined), otherwise a
 * token source (`parseTokenSource`).
 */
export function parseProtection(s: Section, key: string): TokenSource | undefined {
  const raw = s.raw(key)
  if (raw === 'none') return undefined
  if (typeof raw === 'string')
    throw new ConfigError(s.where(key), `expected none or { tokenFile | tokenEnv }, got "${raw}"`)
  const sub = s.section(key)
  return sub === undefined ? undefined : parseTokenSource(sub)
}
