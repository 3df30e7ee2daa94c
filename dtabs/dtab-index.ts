import { WILDCARD, type Dtab } from './dentry.js'
import type { Path } from './path.js'

/** Below this size a linear scan beats the index's own cost. */
const INDEX_FROM = 16

/** A trie of dentry prefixes: one node per prefix element, `*` on its own edge. */
interface Node {
  /** Positions of the dentries whose prefix ends at this node. */
  readonly ends: number[]
  readonly children: Map<string, Node>
  any: Node | undefined
}

const tries = new WeakMap<Dtab, Node>()

const newNode = (): Node => ({ ends: [], children: new Map(), any: undefined })

function build(dtab: Dtab): Node {
  const root = newNode()
  dtab.forEach((d, i) => {
    let node = root
    for (const elem of d.prefix) {
      if (elem === WILDCARD) {
        node.any ??= newNode()
        node = node.any
      } else {
        let child = node.children.get(elem)
        if (child === undefined) node.children.set(elem, (child = newNode()))
        node = child
      }
    }
    node.ends.push(i)
  })
  return root
}

function collect(node: Node, path: Path, depth: number, out: number[]): void {
  for (const i of node.ends) out.push(i)
  if (depth === path.length) return
  const child = node.children.get(path[depth] as string)
  if (child !== undefined) collect(child, path, depth + 1, out)
  if (node.any !== undefined) collect(node.any, path, depth + 1, out)
}

/**
 * The positions of the dentries that may match `path`, last first (the order lookups use).
 * Large dtabs are indexed by a trie of their prefixes (built once per dtab object), so a lookup
 * walks the path rather than scanning every dentry, and every position returned matches.
 * Small dtabs are not indexed: `undefined` tells the caller to scan.
 */
export function candidates(dtab: Dtab, path: Path): readonly number[] | undefined {
  if (dtab.length < INDEX_FROM) return undefined
  let trie = tries.get(dtab)
  if (trie === undefined) {
    trie = build(dtab)
    tries.set(dtab, trie)
  }
  const out: number[] = []
  collect(trie, path, 0, out)
  return out.length > 1 ? out.sort((a, b) => b - a) : out
}
