/** Test helpers for transformers: trees of one bound name, address sets as text. */
import {
  Cell,
  readPath,
  type Addr,
  type Bound,
  type BoundLeaf,
  type NameTree,
} from '../../dtabs/index.js'
import { Section } from '../../lib/config/section.js'
import { parseKind } from '../../lib/plugin.js'
import {
  transformers,
  type TransformerDeps,
  type TreeTransformer,
} from '../../router/transformers/index.js'

export const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve))

/** A transformer from its config section. */
export function make(raw: Record<string, unknown>, deps: TransformerDeps = {}): TreeTransformer {
  return parseKind(transformers, new Section(raw, 't'))(deps)
}

/** A bound name `id` whose address set is `addr` (a Cell, or a value put in a new one). */
export function bound(id: string, addr: Cell<Addr> | Addr): Bound {
  const v = addr instanceof Cell ? addr : new Cell(addr)
  return { id: readPath(id), path: [], addr: v }
}

export const leaf = (b: Bound, weight?: number): NameTree<BoundLeaf> => ({
  type: 'leaf',
  value: weight === undefined ? { bound: b } : { bound: b, weight },
})

/** A bound address set from `host:port` strings (the last colon separates the port). */
export function addrs(...hostPorts: string[]): Addr {
  return {
    type: 'bound',
    addrs: hostPorts.map((hp) => {
      const colon = hp.lastIndexOf(':')
      return { host: hp.slice(0, colon), port: Number(hp.slice(colon + 1)) }
    }),
  }
}

/** The one leaf of a transformed tree. */
export function only(tree: NameTree<BoundLeaf>): BoundLeaf {
  if (tree.type !== 'leaf') throw new Error(`expected a leaf, got ${tree.type}`)
  return tree.value
}

/** `host:port host:port`, or the set's type when it is not bound. */
export function shownAddr(a: Addr): string {
  if (a.type !== 'bound') return a.type
  return a.addrs.map((x) => `${x.host}:${x.port}`).join(' ')
}
