/**
 * `--admin-path PATH`: the routers' admin servers named by a namer path (`/#/io.l5d.fs/admins`,
 * a file of `ip port` lines) rather than listed. namerd binds PATH in the shift's namespace, as
 * it binds any name, and each address of the bound tree is one router's admin server.
 *
 * PATH is bound once when the shift starts (a path naming nothing stops it before any write)
 * and again at each interval's start, so routers that come or go between steps are followed.
 * Within an interval the set is fixed: it is read at its start and end from the same routers
 * (reading.ts subtracts the two), and a router gone meanwhile fails the read, as with --admin.
 */
import { errorMessage } from '../../lib/errors.js'
import { showPath, type Bound, type BoundLeaf, type NameTree } from '../../dtabs/index.js'
import type { Namerd } from '../client.js'
import { explain } from '../dtab-api.js'
import { NamerdError } from '../errors.js'
import { boundTreeFromJson } from '../tree-json.js'
import { adminSource, type AdminSourceOptions } from './admin-source.js'
import { FiguresError } from './errors.js'
import type { FigureSource } from './figures.js'

/**
 * The admin base URLs (`http://ip:port`, sorted, no duplicates) in namerd's `/api/1/bind` answer
 * `json`; `where` names the path in messages. No address at all: `ERR_NOT_FOUND`. A leaf whose
 * namer failed or is still pending, besides addresses: `ERR_FIGURES_PARTIAL` (some routers
 * would be missing from the sums). Of an alternative, the first branch with a bound leaf counts.
 */
export function adminUrlsOf(json: unknown, where: string): string[] {
  const urls = new Set<string>()
  const unresolved: string[] = []
  for (const b of boundLeaves(boundTreeFromJson(json))) {
    const addr = b.addr.get()
    if (addr.type === 'bound') for (const a of addr.addrs) urls.add(adminUrl(a.host, a.port))
    else if (addr.type === 'failed') unresolved.push(`${showPath(b.id)} failed: ${addr.cause}`)
    else if (addr.type === 'pending') unresolved.push(`${showPath(b.id)} is still pending`)
  }
  const why = unresolved.length === 0 ? '' : ` (${unresolved.join('; ')})`
  if (urls.size === 0)
    throw new NamerdError('ERR_NOT_FOUND', `${where} names no router's admin server${why}`)
  if (unresolved.length > 0)
    throw new FiguresError('ERR_FIGURES_PARTIAL', `${where}: part of it is unresolved${why}`)
  return [...urls].sort()
}

function boundLeaves(tree: NameTree<BoundLeaf>): Bound[] {
  switch (tree.type) {
    case 'leaf':
      return [tree.value.bound]
    case 'union':
      return tree.trees.flatMap((w) => boundLeaves(w.tree))
    case 'alt':
      return tree.trees.map(boundLeaves).find((l) => l.length > 0) ?? []
    default:
      return []
  }
}

function adminUrl(host: string, port: number): string {
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}`
}

/**
 * The admin source of the routers PATH names in namespace `name` (PATH in canonical form).
 * Resolves once before returning (its errors are the shift's, before any write) and again at
 * each `open`.
 */
export async function adminPathSource(
  namerd: Namerd,
  name: string,
  path: string,
  options: AdminSourceOptions = {},
): Promise<FigureSource> {
  const where = `--admin-path ${path} (bound in dtab ${name})`
  const resolve = async () =>
    adminUrlsOf((await explain(namerd, 'bind', name, path, undefined)).json, where)
  await resolve()
  const opened: FigureSource[] = []
  return {
    name: `the routers' admin metrics at ${path}`,
    async open(clients) {
      // Routers that cannot be named any more are figures that cannot be read: the shift rolls back.
      const urls = await resolve().catch((e: unknown) => {
        throw new FiguresError('ERR_FIGURES_UNREACHABLE', `${where}: ${errorMessage(e)}`, {
          cause: e,
        })
      })
      const source = adminSource(urls, options)
      opened.push(source)
      return source.open(clients)
    },
    close: () => opened.forEach((s) => s.close()),
  }
}
