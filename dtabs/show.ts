import { unreachable } from '../lib/errors.js'
import type { NameTree, Weighted } from './name-tree.js'
import { showPath, type Path } from './path.js'
import { formatWeight } from './weight.js'

type ShowLeaf<T> = (value: T) => string

/**
 * Finagle's canonical `NameTree.show`: ` | ` between alternatives, ` & ` between union members,
 * `w*` before a member whose weight is not exactly 1.0 (two decimals, see `formatWeight`),
 * parentheses only where precedence needs them. Each of the three printers shows a
 * single-child node as its child, so the weight of a lone union member is never shown.
 */
export function showTree<T>(tree: NameTree<T>, showLeaf: ShowLeaf<T>): string {
  const t = unwrapSingle(tree)
  if (t.type === 'alt') return t.trees.map((c) => show1(c, showLeaf)).join(' | ')
  return show1(t, showLeaf)
}

function show1<T>(tree: NameTree<T>, showLeaf: ShowLeaf<T>): string {
  const t = unwrapSingle(tree)
  if (t.type === 'union') return t.trees.map((w) => showMember(w, showLeaf)).join(' & ')
  return showSimple(t, showLeaf)
}

function showMember<T>(w: Weighted<T>, showLeaf: ShowLeaf<T>): string {
  const simple = showSimple(w.tree, showLeaf)
  return w.weight === 1 ? simple : `${formatWeight(w.weight)}*${simple}`
}

function showSimple<T>(tree: NameTree<T>, showLeaf: ShowLeaf<T>): string {
  const t = unwrapSingle(tree)
  switch (t.type) {
    case 'alt':
    case 'union':
      return `(${showTree(t, showLeaf)})`
    case 'leaf':
      return showLeaf(t.value)
    case 'fail':
      return '!'
    case 'neg':
      return '~'
    case 'empty':
      return '$'
    default:
      return unreachable(t)
  }
}

/** Strips Alt and Union nodes that have exactly one child. */
function unwrapSingle<T>(tree: NameTree<T>): NameTree<T> {
  let t = tree
  for (;;) {
    if (t.type === 'alt' && t.trees.length === 1) t = t.trees[0] as NameTree<T>
    else if (t.type === 'union' && t.trees.length === 1) t = (t.trees[0] as Weighted<T>).tree
    else return t
  }
}

/** `showTree` for trees of paths, the form dtab destinations take. */
export function showPathTree(tree: NameTree<Path>): string {
  return showTree(tree, showPath)
}
