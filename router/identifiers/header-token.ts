/**
 * `io.l5d.header.token`, the default identifier: the value of one header, verbatim, is one path
 * element after the prefix (linkerd `HeaderTokenIdentifierConfig` → `HeaderIdentifier` with
 * `headerPath = false`, and its h2 `HeaderTokenIdentifier`).
 *
 * ```yaml
 * identifier:
 *   kind: io.l5d.header.token
 *   header: Host        # the default; h2 routers: :authority
 * ```
 *
 * `Host: Foo.com:8080` gives `/svc/Foo.com:8080`: no lower-casing, the port is kept, and a `/`
 * stays inside the element. An absent or empty header fails with `<header> header is absent`
 * (h2: `missing header: '<header>'`, and the last value of a repeated header is used, as
 * linkerd's h2 router does).
 */
import type { Identified, RequestHead } from '../model.js'
import type { IdentifierPlugin } from './index.js'
import { firstValue, lastValue, readHeaderName } from './headers.js'
import { textElem, unidentified } from './outcome.js'

/** The kind for one protocol: its default header, which value of a repeat, its failure text. */
function headerToken(o: {
  fallback: string
  pseudo: boolean
  valueOf: (req: RequestHead, lowerName: string) => string | undefined
  absent: (header: string) => string
}): IdentifierPlugin {
  return {
    kind: 'io.l5d.header.token',
    parse(s) {
      const header = readHeaderName(s, o.fallback, o.pseudo)
      const key = header.toLowerCase()
      const absent = unidentified(o.absent(header))
      return ({ prefix }) =>
        function identifyByHeaderToken(req): Identified {
          const value = o.valueOf(req, key)
          if (value === undefined || value === '') return absent
          return { ok: true, dst: [...prefix, textElem(value)] }
        }
    },
  }
}

/** HTTP/1.1 routers: `Host` by default, the first value. */
export const headerTokenIdentifier = headerToken({
  fallback: 'Host',
  pseudo: false,
  valueOf: firstValue,
  absent: (header) => `${header} header is absent`,
})

/** h2 routers: `:authority` by default, the last value. */
export const h2HeaderTokenIdentifier = headerToken({
  fallback: ':authority',
  pseudo: true,
  valueOf: lastValue,
  absent: (header) => `missing header: '${header}'`,
})
