import type { Activity, Var } from './activity.js'
import type { NameTree } from './name-tree.js'
import type { Path } from './path.js'

/** One endpoint: an IP literal (or, in test fixtures, a host name) and a port. */
export interface Address {
  readonly host: string
  readonly port: number
  readonly meta?: Readonly<Record<string, unknown>>
}

/**
 * Finagle's `Addr`: the live endpoint set of a bound name. `bound` with no addresses is still
 * a name that exists (it is not `neg`).
 */
export type Addr =
  | { readonly type: 'pending' }
  | {
      readonly type: 'bound'
      readonly addrs: readonly Address[]
      readonly meta?: Readonly<Record<string, unknown>>
    }
  | { readonly type: 'neg' }
  | { readonly type: 'failed'; readonly cause: string }

export const ADDR_PENDING: Addr = Object.freeze({ type: 'pending' })
export const ADDR_NEG: Addr = Object.freeze({ type: 'neg' })

/**
 * A bound name (Finagle `Name.Bound`): `id` is the path of what the namer bound (e.g.
 * `/#/io.l5d.fs/web`), `path` the residual elements it did not consume, `addr` the live
 * endpoint set. Two bound names are the same name when their ids are equal.
 */
export interface Bound {
  readonly id: Path
  readonly path: Path
  readonly addr: Var<Addr>
}

/** A leaf of a name tree during binding: a path still to resolve, or a bound name. */
export type Name = Path | Bound

export function isBound(name: Name): name is Bound {
  return !Array.isArray(name)
}

/**
 * A leaf of a bound tree: the bound name plus, when it was reached through a weighted union,
 * that union member's weight (linkerd stamps it on the address metadata as
 * `namer_nametree_weight`).
 */
export interface BoundLeaf {
  readonly bound: Bound
  readonly weight?: number
}

/**
 * A namer resolves the part of a path after its prefix. Expected negatives are values: an
 * unknown name is a `neg` tree, not an error; a failed lookup is a `failed` activity.
 */
export interface Namer {
  lookup(residual: Path): Activity<NameTree<Name>>
}

/** A namer mounted at a prefix, e.g. `/#/io.l5d.fs`. */
export interface MountedNamer {
  readonly prefix: Path
  readonly namer: Namer
}
