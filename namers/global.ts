/**
 * Finagle's `Namer.global` (`Namer.scala`; docs/dtab-semantics.md §6.4), mounted at `/$`:
 *
 *   /$/inet/<host>/<port>[/rest]     bound, id `/$/inet/<host>/<port>`, residual `rest`
 *   /$/inet/<port>[/rest]            the same on the loopback address, id `/$/inet/<port>`
 *   /$/fixedinet/...                 as inet, but a host name is looked up only once
 *   /$/fail[/...]  /$/nil[/...]      Fail, Empty
 *   /$/io.buoyant.<...>/...          linkerd's system namers (rewriting.ts)
 *   /$/<anything else>/...           failed: UnknownNamerError (Finagle: ClassNotFoundException)
 *   /$                               Neg
 */
import { constant, failed, ok, type Activity } from '../dtabs/activity.js'
import { UnknownNamerError } from '../dtabs/errors.js'
import { EMPTY, FAIL, NEG, type NameTree } from '../dtabs/name-tree.js'
import type { Bound, Name, Namer } from '../dtabs/name.js'
import { showPath, type Path } from '../dtabs/path.js'
import {
  fixedInetResolver,
  inetAddr,
  inetResolver,
  LOOPBACK,
  parseJavaInt,
  type HostResolver,
} from './inet/inet.js'
import { SYSTEM_NAMERS, type SystemNamerEnv } from './rewrite/rewriting.js'
import { recodePath, textOf } from './text.js'

export interface GlobalNamerOptions {
  /** Resolves `/$/inet` and `/$/io.buoyant.rinet` hosts; default `inetResolver()` (DNS, re-polled). */
  readonly resolveHost?: HostResolver
  /** Resolves `/$/fixedinet` hosts; default `resolveHost` if given, else `fixedInetResolver()`. */
  readonly resolveFixedHost?: HostResolver
}

const NEG_ACTIVITY: Activity<NameTree<Name>> = constant(ok(NEG))
const FAIL_ACTIVITY: Activity<NameTree<Name>> = constant(ok(FAIL))
const EMPTY_ACTIVITY: Activity<NameTree<Name>> = constant(ok(EMPTY))

/**
 * The `/$` namer. `lookup` receives the path after `$` and always answers with a constant
 * activity; a bound `inet` leaf carries a live address set from the resolver. An unknown
 * `/$/<name>` is a failed activity (`ERR_UNKNOWN_NAMER`), not Neg, as in linkerd.
 */
export function globalNamer(options: GlobalNamerOptions = {}): Namer {
  const resolveHost = options.resolveHost ?? inetResolver()
  const resolveFixedHost = options.resolveFixedHost ?? options.resolveHost ?? fixedInetResolver()
  const env: SystemNamerEnv = { resolveHost }
  return {
    lookup: function lookupGlobal(residual) {
      const kind = residual[0]
      if (kind === undefined) return NEG_ACTIVITY
      if (kind === 'inet' || kind === 'fixedinet') {
        const bound = inetBound(residual, kind === 'inet' ? resolveHost : resolveFixedHost)
        if (bound !== undefined) return constant(ok({ type: 'leaf', value: bound }))
      }
      if (kind === 'fail') return FAIL_ACTIVITY
      if (kind === 'nil') return EMPTY_ACTIVITY
      const namer = SYSTEM_NAMERS.get(kind)
      if (namer !== undefined) return namer(recodePath(residual.slice(1)), env)
      return constant(failed(new UnknownNamerError(textOf(kind), showPath(['$', ...residual]))))
    },
  }
}

/**
 * `[inet|fixedinet, host, port, ...rest]` if `port` is a Java int, else
 * `[inet|fixedinet, port, ...rest]` on the loopback address if that is one, else undefined.
 * The id is the consumed prefix exactly as written; the residual is re-encoded as Finagle's
 * `Path.Utf8` does.
 */
function inetBound(residual: Path, resolve: HostResolver): Bound | undefined {
  const [, first, second] = residual
  if (first === undefined) return undefined
  const port = second === undefined ? undefined : parseJavaInt(textOf(second))
  if (port !== undefined) return inetAt(residual, 3, textOf(first), port, resolve)
  const bare = parseJavaInt(textOf(first))
  return bare === undefined ? undefined : inetAt(residual, 2, LOOPBACK, bare, resolve)
}

function inetAt(
  residual: Path,
  used: number,
  host: string,
  port: number,
  resolve: HostResolver,
): Bound {
  return {
    id: ['$', ...residual.slice(0, used)],
    path: recodePath(residual.slice(used)),
    addr: inetAddr(resolve, host, port),
  }
}
