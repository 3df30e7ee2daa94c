/**
 * The `auth` settings of namerd's `io.l5d.httpController` and of both admins: where a bearer
 * token comes from and, on namerd's interfaces, which client certificates are let through. Not
 * linkerd keys (linkerd 1 has none of this).
 */
import { ConfigError, type Section } from '../config/section.js'
import type { TokenSource } from './token.js'

/** What a protected route accepts: a bearer token, a client certificate's name, or either. */
export interface Protection {
  readonly token?: TokenSource
  /** Names a verified client certificate may carry (its CN, DNS or URI names). */
  readonly identities?: readonly string[]
}

/**
 * A token source: exactly one of `tokenFile` and `tokenEnv`. A literal `token` is refused (the
 * config file is shown on the admin page and kept in version control); so is `identities` (an
 * mTLS allow-list), which only namerd's interfaces take (`parseProtection`).
 */
export function parseTokenSource(s: Section): TokenSource {
  if (s.has('identities')) {
    throw new ConfigError(
      s.where('identities'),
      "client identities are accepted on namerd's interfaces only (interfaces[].auth)",
    )
  }
  const source = tokenSourceOf(s)
  s.done()
  if (source === undefined)
    throw new ConfigError(s.at, 'expected tokenFile (a path) or tokenEnv (a variable name)')
  return source
}

/** `tokenFile` or `tokenEnv` if either is given; both, or a literal token, is an error. */
function tokenSourceOf(s: Section): TokenSource | undefined {
  if (s.has('token')) {
    throw new ConfigError(
      s.where('token'),
      'a token is never written in the config file; use tokenFile (a path) or tokenEnv (an environment variable)',
    )
  }
  const file = nonEmpty(s, 'tokenFile')
  const env = nonEmpty(s, 'tokenEnv')
  if (file !== undefined && env !== undefined)
    throw new ConfigError(s.at, 'give one of tokenFile and tokenEnv, not both')
  if (file !== undefined) return { tokenFile: file }
  if (env !== undefined) return { tokenEnv: env }
  return undefined
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
  const sub = protectionSection(s, key)
  return sub === undefined ? undefined : parseTokenSource(sub)
}

/**
 * Like `parseProtection`, with `identities: [names]` (client certificate names) next to or
 * instead of the token source: namerd's interfaces.
 */
export function parseIdentityProtection(s: Section, key: string): Protection | undefined {
  const sub = protectionSection(s, key)
  if (sub === undefined) return undefined
  const identities = sub.has('identities')
    ? sub.list('identities', identityOf)
    : (sub.raw('identities'), undefined)
  const token = tokenSourceOf(sub)
  sub.done()
  if (identities?.length === 0)
    throw new ConfigError(sub.where('identities'), 'must not be empty (or leave it out)')
  if (token === undefined && identities === undefined) {
    throw new ConfigError(
      sub.at,
      'expected tokenFile (a path), tokenEnv (a variable name) or identities (client certificate names)',
    )
  }
  return { ...(token === undefined ? {} : { token }), ...(identities ? { identities } : {}) }
}

function protectionSection(s: Section, key: string): Section | undefined {
  const raw = s.raw(key)
  if (raw === 'none') return undefined
  if (typeof raw === 'string')
    throw new ConfigError(s.where(key), `expected none or { tokenFile | tokenEnv }, got "${raw}"`)
  return s.section(key)
}

function identityOf(v: unknown, at: string): string {
  if (typeof v !== 'string' || v.trim() === '')
    throw new ConfigError(at, 'expected a name a client certificate carries (CN, DNS or URI)')
  return v
}
