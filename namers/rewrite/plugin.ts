/**
 * `io.l5d.rewrite`: turns the path after its prefix into another path to resolve, with a
 * PathMatcher (linkerd `RewritingNamer`). It has no default prefix.
 *
 *   namers:
 *   - kind: io.l5d.rewrite
 *     prefix: /apiToSrv
 *     pattern: /{service}/api
 *     name: /srv/{service}
 *
 * `/#/apiToSrv/users/api/v1` gives the path `/srv/users`: the pattern matches a prefix of the
 * residual (the rest, `/v1`, is dropped, as in linkerd; write `/{service}/api/{rest}` to keep
 * one more segment). A residual the pattern does not match is Neg.
 */
import { ConfigError } from '../../lib/config/section.js'
import { errorMessage } from '../../lib/errors.js'
import {
  constant,
  failed,
  leaf,
  NEG,
  ok,
  readPath,
  type Activity,
  type Name,
  type NameTree,
  type Namer,
} from '../../dtabs/index.js'
import type { NamerPlugin } from '../index.js'
import { readPathMatcher, substituteVars, templateVars, type PathMatcher } from './path-matcher.js'

const NEG_ACTIVITY: Activity<NameTree<Name>> = constant(ok(NEG))

export const rewriteNamer: NamerPlugin = {
  kind: 'io.l5d.rewrite',
  parse(s) {
    if (!s.has('prefix')) {
      throw new ConfigError(s.where('prefix'), 'required (io.l5d.rewrite has no default prefix)')
    }
    const matcher = readPathMatcher(s.string('pattern'), s.where('pattern'))
    const name = s.string('name')
    checkTemplate(name, matcher, s.where('name'))
    return () => ({ ...rewritingNamer(matcher, name), close() {} })
  },
}

/** Every variable of `name` must be captured, and `name` must then be a path. */
function checkTemplate(name: string, matcher: PathMatcher, at: string): void {
  for (const v of templateVars(name)) {
    if (!matcher.vars.includes(v)) {
      throw new ConfigError(at, `{${v}} is not captured by pattern "${matcher.pattern}"`)
    }
  }
  const sample = new Map(matcher.vars.map((v) => [v, 'x']))
  try {
    readPath(substituteVars(name, sample))
  } catch (e) {
    const why = errorMessage(e)
    throw new ConfigError(at, `not a path once its variables are filled in: ${why}`, { cause: e })
  }
}

/**
 * The namer: Neg when the pattern does not match, else a leaf of `name` with the captures
 * filled in; failed (ERR_DTAB_PARSE) if that is not a path, e.g. an empty capture in `/srv/{x}`.
 */
export function rewritingNamer(matcher: PathMatcher, name: string): Namer {
  return {
    lookup: function lookupRewrite(residual) {
      const vars = matcher.extract(residual)
      if (vars === undefined) return NEG_ACTIVITY
      try {
        return constant(ok(leaf<Name>(readPath(substituteVars(name, vars)))))
      } catch (e) {
        return constant(failed(e instanceof Error ? e : new Error(String(e))))
      }
    },
  }
}
