import { waitFor } from './activity.js'
import { showDentry, showPrefix, NOP_DENTRY, type Dentry } from './dtab.js'
import { boundNames, type DelegateTree } from './delegate.js'
import type { NameTree } from './name-tree.js'
import { isBound, type Addr, type Address, type Bound, type BoundLeaf } from './name.js'
import { showPath } from './path.js'
import { showPathTree } from './show.js'

/**
 * namerd's JSON shapes (docs/dtab-semantics.md §8): Addr, bound trees (`/api/1/bind`) and
 * delegate trees (`/api/1/delegate`). Keys are in namerd's order, absent fields are omitted,
 * paths are shown.
 */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json }

/** `{"type":"bound","addrs":[{"ip","port","meta"}],"meta":{}}`, `neg`, `pending`, `failed`. */
export function addrToJson(addr: Addr, extraMeta?: Record<string, Json>): Json {
  switch (addr.type) {
    case 'bound':
      return {
        type: 'bound',
        addrs: addr.addrs.map(addressToJson),
        meta: { ...(addr.meta as Record<string, Json> | undefined), ...extraMeta },
      }
    case 'failed':
      return { type: 'failed', cause: addr.cause }
    default:
      return { type: addr.type }
  }
}

function addressToJson(a: Address): Json {
  return { ip: a.host, port: a.port, meta: { ...(a.meta as Record<string, Json> | undefined) } }
}

function boundToJson(b: Bound, extraMeta?: Record<string, Json>): Json {
  return { addr: addrToJson(b.addr.get(), extraMeta), id: showPath(b.id), path: showPath(b.path) }
}

/** The body of namerd's `GET /api/1/bind`: leaves carry their union weight in Addr meta. */
export function boundTreeToJson(tree: NameTree<BoundLeaf>): Json {
  switch (tree.type) {
    case 'leaf': {
      const { bound, weight } = tree.value
      const stamp = weight === undefined ? undefined : { namer_nametree_weight: weight }
      return { type: 'leaf', bound: boundToJson(bound, stamp) }
    }
    case 'union':
      return {
        type: 'union',
        union: tree.trees.map((w) => ({ weight: w.weight, tree: boundTreeToJson(w.tree) })),
      }
    case 'alt':
      return { type: 'alt', alt: tree.trees.map(boundTreeToJson) }
    default:
      return { type: tree.type }
  }
}

function dentryJson(d: Dentry): { dentry?: Json } {
  if (d === NOP_DENTRY || showDentry(d) === showDentry(NOP_DENTRY)) return {}
  return { dentry: { prefix: showPrefix(d.prefix), dst: showPathTree(d.dst) } }
}

/** The body of namerd's `GET /api/1/delegate` (and linkerd's `/delegator.json`). */
export function delegateTreeToJson(node: DelegateTree): Json {
  const path = showPath(node.path)
  switch (node.type) {
    case 'delegate':
      return {
        type: 'delegate',
        path,
        ...dentryJson(node.dentry),
        delegate: delegateTreeToJson(node.tree),
      }
    case 'alt':
      return {
        type: 'alt',
        path,
        ...dentryJson(node.dentry),
        alt: node.trees.map(delegateTreeToJson),
      }
    case 'union':
      return {
        type: 'union',
        path,
        ...dentryJson(node.dentry),
        union: node.trees.map((w) => ({ weight: w.weight, tree: delegateTreeToJson(w.tree) })),
      }
    case 'leaf':
      if (!isBound(node.name)) return { type: 'neg', path, ...dentryJson(node.dentry) }
      return { type: 'leaf', path, ...dentryJson(node.dentry), bound: boundToJson(node.name) }
    case 'neg':
      return { type: 'neg', path: node.path.length === 0 ? '~' : path, ...dentryJson(node.dentry) }
    case 'fail':
      return {
        type: 'fail',
        path: isSystemFail(node.path) ? path : '!',
        ...dentryJson(node.dentry),
      }
    case 'empty':
      return { type: 'empty', path, ...dentryJson(node.dentry) }
    case 'exception':
      return { type: 'exception', path, ...dentryJson(node.dentry), message: node.error.message }
  }
}

function isSystemFail(path: readonly string[]): boolean {
  return path[0] === '$' && path[1] === 'fail'
}

/**
 * Waits (up to `ms`) until every address set in the list has left `pending`, as namerd shows
 * the first non-pending value of each leaf. Resolves either way; never rejects.
 */
export async function settleAddrs(bounds: readonly Bound[], ms: number): Promise<void> {
  const deadline = Date.now() + ms
  for (const b of bounds) {
    const left = Math.max(0, deadline - Date.now())
    await waitFor(
      b.addr,
      (a) => a.type !== 'pending',
      left,
      () => new Error('timeout'),
    ).catch(() => undefined)
  }
}

/** Bound names of a delegate explanation or of a bound tree. */
export function boundsOf(tree: DelegateTree | NameTree<BoundLeaf>): Bound[] {
  if ('path' in tree) return boundNames(tree)
  const out: Bound[] = []
  const visit = (t: NameTree<BoundLeaf>): void => {
    if (t.type === 'leaf') out.push(t.value.bound)
    else if (t.type === 'union') for (const w of t.trees) visit(w.tree)
    else if (t.type === 'alt') for (const c of t.trees) visit(c)
  }
  visit(tree)
  return out
}
