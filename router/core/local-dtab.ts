import { concatDtabs, EMPTY_DTAB, readDtab, showDtab, type Dtab } from '../../dtabs/index.js'
import { errorMessage } from '../../lib/errors.js'
import { Lru } from '../../lib/lru.js'
import { RouterError } from '../errors.js'
import { literalDentry } from './override-literals.js'

/**
 * A request's local dtab and its show form (the cache key and the `l5d-ctx-dtab` to send), and
 * its first dentry that names a literal address (`/$/inet/…`), found once per override text.
 */
export interface LocalDtab {
  readonly dtab: Dtab
  readonly shown: string
  readonly literal?: string
}

export const NO_LOCAL_DTAB: LocalDtab = Object.freeze({ dtab: EMPTY_DTAB, shown: '' })

/**
 * How much override text the router keeps parsed (here) and bound (in its binding cache), each:
 * 256 Ki characters, besides the caches' 1,000 entries. A parsed dtab takes about 30 times its
 * text in memory, so distinct large overrides (a 20 KB one each request) would otherwise hold
 * hundreds of MB; one longer than that alone is parsed and bound for its own request only.
 */
export const OVERRIDE_CACHE_CHARS = 256 * 1024

/**
 * Reads the per-request overrides as linkerd does: every `l5d-ctx-dtab` value, then every
 * `l5d-dtab` value (as `readInbound` collects them), each parsed as a dtab and concatenated in that order (so the user's entries
 * win). Parsed texts are cached, so a repeated override is not parsed again. A syntax error is a
 * 400 (`ERR_BAD_DTAB_HEADER`) with the parse message.
 */
export class LocalDtabReader {
  private readonly cache = new Lru<string, LocalDtab>(1000, undefined, Infinity, {
    of: (key) => key.length,
    max: OVERRIDE_CACHE_CHARS,
  })

  /** The local dtab of a request's `l5d-ctx-dtab` and `l5d-dtab` values (see `readInbound`). */
  read(ctx: readonly string[] | undefined, user: readonly string[] | undefined): LocalDtab {
    if (ctx === undefined && user === undefined) return NO_LOCAL_DTAB
    const key = `${ctx?.join('\u0001') ?? ''}\u0000${user?.join('\u0001') ?? ''}`
    let local = this.cache.get(key)
    if (local === undefined) {
      local = parse(ctx, user)
      this.cache.set(key, local)
    }
    return local
  }
}

function parse(ctx: readonly string[] = [], user: readonly string[] = []): LocalDtab {
  let dtab = EMPTY_DTAB
  for (const text of ctx) dtab = concatDtabs(dtab, parseHeader('l5d-ctx-dtab', text))
  for (const text of user) dtab = concatDtabs(dtab, parseHeader('l5d-dtab', text))
  const literal = literalDentry(dtab)
  const shown = showDtab(dtab)
  return literal === undefined ? { dtab, shown } : { dtab, shown, literal }
}

function parseHeader(name: string, text: string): Dtab {
  try {
    return readDtab(text)
  } catch (e) {
    throw new RouterError('ERR_BAD_DTAB_HEADER', `Invalid ${name} header: ${errorMessage(e)}`)
  }
}
