/**
 * `io.l5d.methodAndHost`: the HTTP version, the method and (HTTP/1.1) the host name, optionally
 * followed by the URL path (linkerd `MethodAndHostIdentifier`).
 *
 * ```yaml
 * identifier:
 *   kind: io.l5d.methodAndHost
 *   httpUriInDst: false  # the default; true appends the URL path
 * ```
 *
 * `GET /a/b` with `Host: Foo.com:8080` gives `/svc/1.1/GET/foo.com:8080` (`/…/a/b` with
 * `httpUriInDst`): the host is lower-cased and keeps its port. HTTP/1.0 gives `/svc/1.0/GET`
 * and ignores `Host`. HTTP/1.1 without a host fails with `HTTP/1.1 request missing hostname`.
 * With `httpUriInDst` the path (before `?`) is read as a dtab path, as linkerd's `Path.read`
 * does: `/a//b`, `/a/` or `/a~b` fail with the parse error and stop a list of identifiers.
 */
import { errorMessage } from '../../lib/errors.js'
import { readPath } from '../../dtabs/parse.js'
import type { Path } from '../../dtabs/path.js'
import type { Identified, RequestHead } from '../model.js'
import type { IdentifierPlugin } from './index.js'
import { firstValue } from './headers.js'
import { concat, malformed, textElem, unidentified } from './outcome.js'

const MISSING_HOST = unidentified('HTTP/1.1 request missing hostname')

/** `name` followed by the URL path (before `?`) read as a dtab path; linkerd throws if not one. */
function withUriPath(name: Path, url: string): Identified {
  const q = url.indexOf('?')
  try {
    return { ok: true, dst: concat(name, readPath(q === -1 ? url : url.slice(0, q))) }
  } catch (e) {
    return malformed(errorMessage(e))
  }
}

/** `1.0/<METHOD>` or `1.1/<METHOD>/<host>` after the prefix; undefined if 1.1 has no host. */
function versionMethodHost(req: RequestHead, base10: Path, base11: Path): Path | undefined {
  if (req.httpVersion === '1.0') return [...base10, textElem(req.method)]
  const host = firstValue(req, 'host')
  if (host === undefined || host === '') return undefined
  return [...base11, textElem(req.method), textElem(host.toLowerCase())]
}

export const methodAndHostIdentifier: IdentifierPlugin = {
  kind: 'io.l5d.methodAndHost',
  parse(s) {
    const uris = s.bool('httpUriInDst', false)
    return ({ prefix }) => {
      const base10 = [...prefix, '1.0']
      const base11 = [...prefix, '1.1']
      return function identifyByMethodAndHost(req) {
        const version = req.httpVersion
        if (version !== '1.0' && version !== '1.1') {
          return unidentified(`Unknown HTTP version HTTP/${version}`)
        }
        const name = versionMethodHost(req, base10, base11)
        if (name === undefined) return MISSING_HOST
        return uris ? withUriPath(name, req.url) : { ok: true, dst: name }
      }
    }
  },
}
