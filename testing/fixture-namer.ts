import { constant, ok } from '../dtabs/activity.js'
import { NEG, type NameTree } from '../dtabs/name-tree.js'
import type { Address, Bound, MountedNamer, Name, Namer } from '../dtabs/name.js'
import { elemToText, pathOf, type Path } from '../dtabs/path.js'

/** The conformance vectors' namer fixture: prefix → service name → `host:port` strings. */
export type NamerFixture = Record<string, Record<string, string[]>>

/**
 * A static namer following the `io.l5d.fs` contract (docs/dtab-semantics.md §6.5): the first
 * element names a service; the rest is the residual; an unlisted service (or none) is Neg.
 */
export function fixtureNamer(prefix: Path, services: Record<string, string[]>): Namer {
  return {
    lookup(residual) {
      const svc = residual[0]
      const addrs = svc === undefined ? undefined : services[elemToText(svc)]
      if (svc === undefined || addrs === undefined) return constant(ok<NameTree<Name>>(NEG))
      const bound: Bound = {
        id: [...prefix, svc],
        path: residual.slice(1),
        addr: constant({ type: 'bound', addrs: addrs.map(parseHostPort) }),
      }
      return constant(ok<NameTree<Name>>({ type: 'leaf', value: bound }))
    },
  }
}

function parseHostPort(text: string): Address {
  const colon = text.lastIndexOf(':')
  return { host: text.slice(0, colon), port: Number(text.slice(colon + 1)) }
}

/** Mounted fixture namers, in the fixture's key order. */
export function fixtureNamers(fixture: NamerFixture | undefined): MountedNamer[] {
  return Object.entries(fixture ?? {}).map(([prefix, services]) => {
    const p = pathOf(...prefix.split('/').filter((s) => s !== ''))
    return { prefix: p, namer: fixtureNamer(p, services) }
  })
}
