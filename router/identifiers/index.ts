/**
 * The identifier families, one list per router protocol: every built-in kind, and the router's
 * `identifier` key (one object or a list, linkerd `HttpConfig.identifier` / `H2Config.identifier`).
 * `io.l5d.methodAndHost` and `io.l5d.path` are HTTP/1.1 kinds, `io.l5d.header.path` an h2 one;
 * `io.l5d.header.token` reads `Host` on http and `:authority` on h2. Identifiers run on every
 * request: they never throw, and `parse` does all per-config work.
 */
import { ConfigError, Section } from '../../lib/config/section.js'
import { parseKind, registry, type Plugin, type Registry } from '../../lib/plugin.js'
import type { Identified, Identifier, IdentifierDeps, RequestHead } from '../model.js'
import { headerPathIdentifier } from './header-path.js'
import { h2HeaderTokenIdentifier, headerTokenIdentifier } from './header-token.js'
import { headerIdentifier } from './header.js'
import { methodAndHostIdentifier } from './method-and-host.js'
import { isFinal } from './outcome.js'
import { pathIdentifier } from './path.js'
import { staticIdentifier } from './static.js'

export type IdentifierPlugin = Plugin<Identifier, IdentifierDeps>

/** The protocol of the router an identifier serves. */
export type IdentifierProtocol = 'http' | 'h2'

/** Every built-in identifier kind of `protocol: http` routers. */
export const identifiers = registry<Identifier, IdentifierDeps>(
  headerTokenIdentifier,
  headerIdentifier,
  methodAndHostIdentifier,
  pathIdentifier,
  staticIdentifier,
)

/** Every built-in identifier kind of `protocol: h2` routers. */
export const h2Identifiers = registry<Identifier, IdentifierDeps>(
  h2HeaderTokenIdentifier,
  headerPathIdentifier,
  headerIdentifier,
  staticIdentifier,
)

const FAMILIES: Readonly<Record<IdentifierProtocol, Registry<Identifier, IdentifierDeps>>> = {
  http: identifiers,
  h2: h2Identifiers,
}

/** linkerd identifier kinds (HTTP and h2) that this project does not have. */
const NOT_HERE = ['io.l5d.ingress', 'io.l5d.k8s.istio', 'io.l5d.k8s.istio-ingress']

/** One identifier section; `kind` defaults to `io.l5d.header.token`. Pure. */
export function parseIdentifier(
  s: Section,
  protocol: IdentifierProtocol = 'http',
): (deps: IdentifierDeps) => Identifier {
  const family = FAMILIES[protocol]
  const kind = s.has('kind') ? s.string('kind') : undefined
  const other: IdentifierProtocol = protocol === 'http' ? 'h2' : 'http'
  if (kind !== undefined && !family.has(kind) && FAMILIES[other].has(kind)) {
    const known = [...family.keys()].join(', ')
    const why = `kind "${kind}" identifies ${other} requests, and this router's protocol is ${protocol}`
    throw new ConfigError(s.where('kind'), `${why} (known: ${known})`)
  }
  return parseKind(family, s, { defaultKind: 'io.l5d.header.token', notHere: NOT_HERE })
}

/**
 * The router's `identifier` value at `at`: absent (the `Host` header token; h2: `:authority`),
 * one object, or a non-empty list tried in order. Pure; throws `ConfigError` only.
 */
export function parseIdentifiers(
  raw: unknown,
  at: string,
  protocol: IdentifierProtocol = 'http',
): (deps: IdentifierDeps) => Identifier {
  if (raw === undefined || raw === null) return parseIdentifier(new Section({}, at), protocol)
  if (!Array.isArray(raw)) return parseIdentifier(new Section(raw, at), protocol)
  if (raw.length === 0) throw new ConfigError(at, 'empty identifier list')
  const makers = raw.map((item, i) => parseIdentifier(new Section(item, `${at}[${i}]`), protocol))
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
