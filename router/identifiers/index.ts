/**
 * The HTTP identifier family: every built-in kind, and the router's `identifier` key (one
 * object or a list, linkerd `HttpConfig.identifier`). Identifiers run on every request: they
 * never throw, and `parse` does all per-config work.
 */
import { ConfigError, Section } from '../../lib/config/section.js'
import { parseKind, registry, type Plugin } from '../../lib/plugin.js'
import type { Identified, Identifier, IdentifierDeps, RequestHead } from '../model.js'
import { headerTokenIdentifier } from './header-token.js'
import { headerIdentifier } from './header.js'
import { methodAndHostIdentifier } from './method-and-host.js'
import { isFinal } from './outcome.js'
import { pathIdentifier } from './path.js'
import { staticIdentifier } from './static.js'

export type IdentifierPlugin = Plugin<Identifier, IdentifierDeps>

/** Every built-in identifier kind. */
export const identifiers = registry<Identifier, IdentifierDeps>(
  headerTokenIdentifier,
  headerIdentifier,
  methodAndHostIdentifier,
  pathIdentifier,
  staticIdentifier,
)

/** linkerd identifier kinds (HTTP and h2) that this project does not have. */
const NOT_HERE = [
  'io.l5d.ingress',
  'io.l5d.k8s.istio',
  'io.l5d.k8s.istio-ingress',
  'io.l5d.header.path',
]

/** One identifier section; `kind` defaults to `io.l5d.header.token`. Pure. */
export function parseIdentifier(s: Section): (deps: IdentifierDeps) => Identifier {
  return parseKind(identifiers, s, { defaultKind: 'io.l5d.header.token', notHere: NOT_HERE })
}

/**
 * The router's `identifier` value at `at`: absent (the `Host` header token), one object, or a
 * non-empty list tried in order. Pure; throws `ConfigError` only.
 */
export function parseIdentifiers(raw: unknown, at: string): (deps: IdentifierDeps) => Identifier {
  if (raw === undefined || raw === null) return parseIdentifier(new Section({}, at))
  if (!Array.isArray(raw)) return parseIdentifier(new Section(raw, at))
  if (raw.length === 0) throw new ConfigError(at, 'empty identifier list')
  const makers = raw.map((item, i) => parseIdentifier(new Section(item, `${at}[${i}]`)))
  return (deps) => firstIdentified(makers.map((make) => make(deps)))
}

/**
 * Tries `all` in order (linkerd `RoutingFactory.Identifier.compose`): the first success wins; a
 * plain failure moves on, and the last one is the answer; a malformed request (where linkerd
 * throws) ends the search at once. A list of one is that identifier; an empty list identifies
 * nothing.
 */
export function firstIdentified(all: readonly Identifier[]): Identifier {
  const [only] = all
  if (all.length === 1 && only !== undefined) return only
  return function identifyByFirst(req: RequestHead): Identified {
    let result: Identified = { ok: false, reason: 'no identifiers' }
    for (const identify of all) {
      result = identify(req)
      if (isFinal(result)) return result
    }
    return result
  }
}
