/**
 * The data of a delegation table: prefixes, dentries and dtabs. Operations on them are in
 * dtab.ts; the prefix index (dtab-index.ts) needs only these types, so both import them from here.
 */
import type { NameTree } from './name-tree.js'
import type { Path } from './path.js'

/** The `*` element of a dentry prefix: matches any one path element. */
export const WILDCARD: unique symbol = Symbol('*')
export type PrefixElem = string | typeof WILDCARD

/** A dentry prefix: labels (byte strings) and wildcards. `/` alone matches every path. */
export type Prefix = readonly PrefixElem[]

/** One delegation rule, `prefix => dst`. */
export interface Dentry {
  readonly prefix: Prefix
  readonly dst: NameTree<Path>
}

/** A delegation table. Later dentries take precedence over earlier ones. */
export type Dtab = readonly Dentry[]
