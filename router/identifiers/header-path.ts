/**
 * `io.l5d.header.path` (h2 routers): a header's value, by default the request's `:path`, is read
 * as a path after the prefix; with `segments`, only its first `segments` elements (linkerd's h2
 * `HeaderPathIdentifier`). This is how gRPC calls are routed: a call `/pkg.Service/Method` with
 * `segments: 1` names `/svc/pkg.Service`.
 *
 * ```yaml
 * identifier:
 *   kind: io.l5d.header.path
 *   header: :path       # the default
 *   segments: 1         # absent: the whole path
 * ```
 *
 * The query and one trailing `/` are dropped first. An absent or empty path fails with
 * `Missing destination path` without `segments`, else with `Path must have at least N
 * segment(s)` (as does a shorter path); a value that is not a path fails with the parse error
 * and, as linkerd's exception does, stops a list of identifiers. The last value of a repeated
 * header is used.
 */
import { errorMessage } from '../../lib/errors.js'
import { readPath } from '../../dtabs/parse.js'
import type { Path } from '../../dtabs/path.js'
import type { Identified } from '../model.js'
import type { IdentifierPlugin } from './index.js'
import { lastValue, readHeaderName } from './headers.js'
import { concat, malformed, unidentified } from './outcome.js'

/** `value` without its query and one trailing `/` (linkerd's `UriPath`). */
function uriPath(value: string): string {
  const q = value.indexOf('?')
  const path = q === -1 ? value : value.slice(0, q)
  return path.endsWith('/') ? path.slice(0, -1) : path
}

/** The path `value` names (empty for an empty one), or the parse error's message. */
function readUriPath(value: string | undefined): Path | string {
  const text = value === undefined ? '' : uriPath(value)
  if (text === '') return []
  try {
    return readPath(text)
  } catch (e) {
    return errorMessage(e)
  }
}

export const headerPathIdentifier: IdentifierPlugin = {
  kind: 'io.l5d.header.path',
  parse(s) {
    const key = readHeaderName(s, ':path', true).toLowerCase()
    const segments = s.optionalNumber('segments', { min: 1 })
    const tooShort = unidentified(
      segments === undefined
        ? 'Missing destination path'
        : `Path must have at least ${segments} segment(s)`,
    )
    const need = segments ?? 1
    return ({ prefix }) =>
      function identifyByHeaderPath(req): Identified {
        const path = readUriPath(lastValue(req, key))
        if (typeof path === 'string') return malformed(path)
        if (path.length < need) return tooShort
        const named = segments === undefined ? path : path.slice(0, segments)
        return { ok: true, dst: concat(prefix, named) }
      }
  },
}
