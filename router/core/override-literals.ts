/**
 * Literal addresses in a request's override. An override whose dentry sends a name to `/$/…`
 * (`/$/inet/10.0.0.1/80`, `/$/fixedinet`, `/$/io.buoyant.rinet`, or a `/$/io.buoyant.*` rewriter
 * that can rewrite into them) lets the sender pick any host and port the router can reach, its
 * own admin included. Each server decides whom it takes such overrides from
 * (`dtabOverrides.literalAddresses`); `/$/nil` and `/$/fail` name nothing and are always allowed.
 */
import { showDentry, type Dtab, type NameTree, type Path } from '../../dtabs/index.js'
import { isLoopback } from '../../lib/ip.js'
import { RouterError } from '../errors.js'

/** Whom a server takes overrides naming literal addresses from. */
export type LiteralPolicy = 'loopback' | 'all' | 'none'

export const LITERAL_POLICIES: readonly LiteralPolicy[] = ['loopback', 'all', 'none']

/** The default: this host's own clients (over loopback) only. */
export const DEFAULT_LITERAL_POLICY: LiteralPolicy = 'loopback'

/** `/$/nil` and `/$/fail` are harmless; `/$` with anything else can name an address. */
const HARMLESS = new Set(['nil', 'fail'])

function isLiteral(path: Path): boolean {
  return path[0] === '$' && !HARMLESS.has(path[1] ?? '')
}

function anyLeaf(tree: NameTree<Path>, test: (path: Path) => boolean): boolean {
  switch (tree.type) {
    case 'leaf':
      return test(tree.value)
    case 'alt':
      return tree.trees.some((t) => anyLeaf(t, test))
    case 'union':
      return tree.trees.some((w) => anyLeaf(w.tree, test))
    default:
      return false
  }
}

/** The first dentry of `dtab` that sends names to a literal address (shown), if any. */
export function literalDentry(dtab: Dtab): string | undefined {
  const found = dtab.find((d) => anyLeaf(d.dst, isLiteral))
  return found === undefined ? undefined : showDentry(found)
}

/** Whether a client at `remoteAddress` may send an override naming a literal address. */
export function literalAllowed(policy: LiteralPolicy, remoteAddress: string | undefined): boolean {
  if (policy === 'all') return true
  if (policy === 'none') return false
  return isLoopback(remoteAddress)
}

/** 400: this server does not take literal addresses in overrides from this client. */
export function literalRefused(
  dentry: string,
  policy: LiteralPolicy,
  remoteAddress: string | undefined,
): RouterError {
  const from =
    policy === 'none' ? 'from any client' : `from ${remoteAddress ?? 'an unknown client'}`
  return new RouterError(
    'ERR_OVERRIDE_LITERAL',
    `Dtab override ${dentry} names a literal address (/$/...), which this server does not accept ` +
      `${from} (dtabOverrides.literalAddresses: ${policy})`,
  )
}
