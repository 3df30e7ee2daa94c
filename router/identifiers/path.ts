/**
 * `io.l5d.path`: the first `segments` segments of the URL path name the destination; with
 * `consume`, they are also removed from the URL sent upstream (linkerd `PathIdentifier`).
 *
 * ```yaml
 * identifier:
 *   kind: io.l5d.path
 *   segments: 1         # the default; at least 1
 *   consume: false      # the default
 * ```
 *
 * `/users/42?x=1` gives `/svc/users`, and with `consume` the URL `/42?x=1`. Segments are split
 * as linkerd splits them (Java `path.split("/").drop(1)`): trailing empty segments do not count
 * and no percent-decoding is done. Too few segments fail with `not enough segments in path`; an
 * empty segment among the first `segments` (`//`) fails with `empty segment in path` and, as
 * linkerd's exception does, stops a list of identifiers.
 */
import type { Identified } from '../model.js'
import type { IdentifierPlugin } from './index.js'
import { malformed, textElem, unidentified } from './outcome.js'

const SLASH = 0x2f
const TOO_FEW = unidentified('not enough segments in path')
const EMPTY_SEGMENT = malformed('empty segment in path')

/** The end of the path part of `url` with trailing slashes removed (Java `split` drops them). */
function trimmedEnd(url: string, pathEnd: number): number {
  let end = pathEnd
  while (end > 0 && url.charCodeAt(end - 1) === SLASH) end--
  return end
}

/**
 * The URL sent upstream once the segments up to `rest` (the `/` after the last consumed one,
 * or `end`) are consumed: the remaining segments, the trailing slash if the path had one, and
 * the query string.
 */
function consumedUrl(url: string, rest: number, end: number, pathEnd: number): string {
  const query = pathEnd < url.length ? url.slice(pathEnd) : ''
  if (rest >= end) return '/' + query
  const slash = pathEnd > end ? '/' : ''
  return url.slice(rest, end) + slash + query
}

export const pathIdentifier: IdentifierPlugin = {
  kind: 'io.l5d.path',
  parse(s) {
    const segments = s.number('segments', 1, { min: 1 })
    const consume = s.bool('consume', false)
    return ({ prefix }) =>
      function identifyByPath(req): Identified {
        const url = req.url
        const q = url.indexOf('?')
        const pathEnd = q === -1 ? url.length : q
        const end = trimmedEnd(url, pathEnd)
        const dst: string[] = [...prefix]
        let empty = false
        // `pos` is at the `/` before the next segment; what precedes the first `/` is dropped.
        let pos = url.indexOf('/')
        for (let i = 0; i < segments; i++) {
          if (pos === -1 || pos >= end) return TOO_FEW
          let next = url.indexOf('/', pos + 1)
          if (next === -1 || next > end) next = end
          if (next === pos + 1) empty = true
          dst.push(textElem(url.slice(pos + 1, next)))
          pos = next
        }
        if (empty) return EMPTY_SEGMENT
        if (!consume) return { ok: true, dst }
        return { ok: true, dst, url: consumedUrl(url, pos, end, pathEnd) }
      }
  },
}
