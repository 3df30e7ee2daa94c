/**
 * The routers' clients behind a destination: namerd binds it in the namespace (as the routers
 * following namerd do) and the leaves' bound ids are what the routers' client stats are named by.
 */
import { boundsOf, showPath, type NameTree, type Path } from '../../dtabs/index.js'
import type { Namerd } from '../client.js'
import { explain } from '../dtab-api.js'
import { NamerdError } from '../errors.js'
import { boundTreeFromJson } from '../tree-json.js'

/** The bound ids of every leaf of `tree` bound in namespace `name`, without duplicates. */
export async function clientsOf(
  namerd: Namerd,
  name: string,
  tree: NameTree<Path>,
): Promise<string[]> {
  const ids = new Set<string>()
  for (const path of leavesOf(tree)) {
    const { json } = await explain(namerd, 'bind', name, showPath(path), undefined)
    for (const b of boundsOf(boundTreeFromJson(json))) ids.add(showPath(b.id))
  }
  if (ids.size === 0)
    throw new NamerdError(
      'ERR_NOT_FOUND',
      `nothing in dtab ${name} binds ${[...leavesOf(tree)].map(showPath).join(', ')}: no client to watch`,
    )
  return [...ids]
}

function* leavesOf(tree: NameTree<Path>): Generator<Path> {
  switch (tree.type) {
    case 'leaf':
      yield tree.value
      return
    case 'alt':
      for (const t of tree.trees) yield* leavesOf(t)
      return
    case 'union':
      for (const w of tree.trees) yield* leavesOf(w.tree)
      return
    default:
      return
  }
}
