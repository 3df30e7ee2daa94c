/**
 * `io.l5d.header.token`, the default identifier: the value of one header, verbatim, is one path
 * element after the prefix (linkerd `HeaderTokenIdentifierConfig` → `HeaderIdentifier` with
 * `headerPath = false`).
 *
 * ```yaml
 * identifier:
 *   kind: io.l5d.header.token
 *   header: Host        # the default
 * ```
 *
 * `Host: Foo.com:8080` gives `/svc/Foo.com:8080`: no lower-casing, the port is kept, and a `/`
 * stays inside the element. An absent or empty header fails with `<header> header is absent`.
 */
import type { IdentifierPlugin } from './index.js'
import { firstValue, readHeaderName } from './headers.js'
import { textElem, unidentified } from './outcome.js'

export const headerTokenIdentifier: IdentifierPlugin = {
  kind: 'io.l5d.header.token',
  parse(s) {
    const header = readHeaderName(s, 'Host')
    const key = header.toLowerCase()
    const absent = unidentified(`${header} header is absent`)
    return ({ prefix }) =>
      function identifyByHeaderToken(req) {
        const value = firstValue(req, key)
        if (value === undefined || value === '') return absent
        return { ok: true, dst: [...prefix, textElem(value)] }
      }
  },
}
