import { MAX_DEPTH } from './bind.js'
import { matchingDentries, rewrite, type Dtab } from './dtab.js'
import { MaxDepthError } from './errors.js'
import { mapTree, type NameTree } from './name-tree.js'
import type { Path } from './path.js'

/**
 * Pure rewriting, with no namers (the vectors' `delegate` group, docs/dtab-semantics.md
 * §7.3): every leaf is rewritten by the dtab until no dentry matches it; alternatives and union
 * members are all expanded eagerly, `~ ! $` and weights are kept, nothing is simplified. A
 * dentry whose destination is `~` matches (giving `~`), unlike no match (the path stays a leaf).
 * Throws `MaxDepthError` if any branch needs more than 99 rewrites.
 */
export function expand(dtab: Dtab, path: Path, maxDepth = MAX_DEPTH): NameTree<Path> {
  return expandAt(dtab, path, 0, maxDepth)
}

function expandAt(dtab: Dtab, path: Path, depth: number, maxDepth: number): NameTree<Path> {
  if (depth + 1 > maxDepth) throw new MaxDepthError(maxDepth)
  const matches = matchingDentries(dtab, path)
  if (matches.length === 0) return { type: 'leaf', value: path }
  const rewritten = matches.map((d) => rewrite(d, path))
  const tree: NameTree<Path> =
    rewritten.length === 1 ? (rewritten[0] as NameTree<Path>) : { type: 'alt', trees: rewritten }
  return mapTree(tree, (q) => expandAt(dtab, q, depth + 1, maxDepth))
}
