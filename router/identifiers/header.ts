/**
 * `io.l5d.header`: the value of one header is read as a path and appended to the prefix
 * (linkerd `HeaderIdentifierConfig` → `HeaderIdentifier` with `headerPath = true`).
 *
 * ```yaml
 * identifier:
 *   kind: io.l5d.header
 *   header: l5d-name    # the default
 * ```
 *
 * `l5d-name: /foo/bar` gives `/svc/foo/bar`. An absent or empty header fails with
 * `<header> header is absent`; a value that is not a path fails with the parse error, and, as
 * linkerd's exception does, stops a list of identifiers.
 */
import { errorMessage } from '../../lib/errors.js'
import { readPath } from '../../dtabs/parse.js'
import type { IdentifierPlugin } from './index.js'
import { firstValue, readHeaderName } from './headers.js'
import { concat, malformed, unidentified } from './outcome.js'

export const headerIdentifier: IdentifierPlugin = {
  kind: 'io.l5d.header',
  parse(s) {
    const header = readHeaderName(s, 'l5d-name')
    const key = header.toLowerCase()
    const absent = unidentified(`${header} header is absent`)
    return ({ prefix }) =>
      function identifyByHeaderPath(req) {
        const value = firstValue(req, key)
        if (value === undefined || value === '') return absent
        try {
          return { ok: true, dst: concat(prefix, readPath(value)) }
        } catch (e) {
          return malformed(errorMessage(e))
        }
      }
  },
}
