/**
 * `io.l5d.static`: every request gets the same name, the prefix followed by `path` (linkerd
 * `StaticIdentifierConfig`; `path` is required).
 *
 * ```yaml
 * identifier:
 *   kind: io.l5d.static
 *   path: /foo/bar      # gives /svc/foo/bar
 * ```
 */
import { readPath } from '../../dtabs/parse.js'
import type { Identified } from '../model.js'
import type { IdentifierPlugin } from './index.js'

export const staticIdentifier: IdentifierPlugin = {
  kind: 'io.l5d.static',
  parse(s) {
    const path = s.value('path', readPath)
    return ({ prefix }) => {
      const dst = Object.freeze([...prefix, ...path])
      const identified: Identified = Object.freeze({ ok: true, dst })
      return function identifyStatically() {
        return identified
      }
    }
  },
}
