/** Helpers for this family's tests: request heads, building identifiers, showing outcomes. */
import type { IncomingHttpHeaders } from 'node:http'
import { Section } from '../../lib/config/section.js'
import { errorMessage } from '../../lib/errors.js'
import { showPath, type Path } from '../../dtabs/path.js'
import type { Identified, Identifier, RequestHead } from '../../router/model.js'
import { parseIdentifiers } from '../../router/identifiers/index.js'
import type { IdentifierPlugin } from '../../router/identifiers/index.js'

/** A request head; HTTP/1.1 GET unless told. */
export function head(
  url: string,
  headers: IncomingHttpHeaders = {},
  method = 'GET',
  httpVersion = '1.1',
): RequestHead {
  return { method, url, httpVersion, headers }
}

/** Builds the identifier of `raw` (the router's `identifier` value) for `prefix`. */
export function build(raw: unknown, prefix: Path = ['svc']): Identifier {
  return parseIdentifiers(raw, 'identifier')({ prefix })
}

/** Builds `raw` with one plug-in directly, as `parseKind` would after reading `kind`. */
export function buildWith(plugin: IdentifierPlugin, raw: object, prefix: Path = ['svc']) {
  const s = new Section(raw, 'identifier')
  const make = plugin.parse(s)
  s.done()
  return make({ prefix })
}

/**
 * An outcome as text: `/svc/a` (with ` -> <url>` when the URL is rewritten), `unidentified:
 * <reason>`, or `malformed: <reason>` for a failure that stops a list of identifiers.
 */
export function show(result: Identified): string {
  if (result.ok) return showPath(result.dst) + (result.url === undefined ? '' : ` -> ${result.url}`)
  return `${'malformed' in result ? 'malformed' : 'unidentified'}: ${result.reason}`
}

/** The message `f` throws, or `'(no error)'`. */
export function thrown(f: () => unknown): string {
  try {
    f()
    return '(no error)'
  } catch (e) {
    return errorMessage(e)
  }
}
