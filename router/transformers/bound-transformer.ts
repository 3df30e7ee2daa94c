/**
 * The common core of the address transformers (`io.l5d.port`, `io.l5d.localhost`,
 * `io.l5d.specificHost`): every leaf of a bound tree gets its id prefixed and its address set
 * mapped; `neg`, `fail` and `empty` stay as they are, and so do `pending`, `failed` and `neg`
 * address sets (linkerd's `FilteringNameTreeTransformer`).
 */
import {
  ADDR_NEG,
  mapTree,
  type Addr,
  type Address,
  type Bound,
  type BoundLeaf,
  type NameTree,
  type Path,
  type Var,
} from '../../dtabs/index.js'
import type { TreeTransformer } from './index.js'
import { MappedVar } from './mapped-var.js'

/** An address set that is `bound`. */
export type BoundAddr = Extract<Addr, { type: 'bound' }>

/**
 * A transformer that prefixes ids with `prefix` and maps each bound address set with `f`.
 * Transformed names are cached per source object: the same source address Var always gives
 * the same transformed Var (the router's clients follow the first one they see), so a rebind
 * that finds the same names yields a tree equal to the last one, and `f` runs only when an
 * address set changes.
 */
export function boundTransformer(prefix: Path, f: (addr: BoundAddr) => Addr): TreeTransformer {
  const addrs = new WeakMap<Var<Addr>, Var<Addr>>()
  const bounds = new WeakMap<Bound, Bound>()
  const mapAddr = (addr: Addr, previous: Addr | undefined): Addr => {
    if (addr.type !== 'bound') return addr
    const next = f(addr)
    return previous !== undefined && sameAddr(previous, next) ? previous : next
  }
  const addrOf = (source: Var<Addr>): Var<Addr> => {
    let mapped = addrs.get(source)
    if (mapped === undefined) {
      mapped = new MappedVar(source, mapAddr)
      addrs.set(source, mapped)
    }
    return mapped
  }
  const boundOf = (source: Bound): Bound => {
    let mapped = bounds.get(source)
    if (mapped === undefined) {
      mapped = { id: [...prefix, ...source.id], path: source.path, addr: addrOf(source.addr) }
      bounds.set(source, mapped)
    }
    return mapped
  }
  return {
    prefix,
    transform(tree: NameTree<BoundLeaf>): NameTree<BoundLeaf> {
      return mapTree(tree, (leaf: BoundLeaf): NameTree<BoundLeaf> => {
        const bound = boundOf(leaf.bound)
        const value = leaf.weight === undefined ? { bound } : { bound, weight: leaf.weight }
        return { type: 'leaf', value }
      })
    },
  }
}

/** The addresses `keep` accepts; `neg` when none is left (linkerd: `Addr.Neg`). */
export function filterAddr(addr: BoundAddr, keep: (a: Address) => boolean): Addr {
  const kept = addr.addrs.filter(keep)
  if (kept.length === 0) return ADDR_NEG
  if (kept.length === addr.addrs.length) return addr
  return withAddrs(addr, kept)
}

/** `addr` with other addresses and the same set metadata. */
export function withAddrs(addr: BoundAddr, addrs: readonly Address[]): BoundAddr {
  return addr.meta === undefined
    ? { type: 'bound', addrs }
    : { type: 'bound', addrs, meta: addr.meta }
}

/** Equal address sets (same endpoints in the same order, same metadata objects). */
export function sameAddr(a: Addr, b: Addr): boolean {
  if (a === b) return true
  if (a.type === 'bound' && b.type === 'bound') {
    return (
      a.meta === b.meta &&
      a.addrs.length === b.addrs.length &&
      a.addrs.every((x, i) => {
        const y = b.addrs[i] as Address
        return x.host === y.host && x.port === y.port && x.meta === y.meta
      })
    )
  }
  if (a.type === 'failed' && b.type === 'failed') return a.cause === b.cause
  return a.type === b.type
}
