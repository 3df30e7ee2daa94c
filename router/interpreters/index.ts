/**
 * The interpreter family (`router.interpreter`): what turns a logical name into a live bound
 * tree. `parseInterpreter` is pure; the builder it returns makes the Interpreter (model.ts) once
 * the namers exist. Kinds: `default` (the router's dtab), `io.l5d.fs` (a watched dtab file) and
 * `io.l5d.namerd.http` (namerd binds, over its HTTP streaming API). Any of them may have
 * `transformers:` (router/transformers), applied to what it binds.
 */
import { ConfigError, Section } from '../../lib/config/section.js'
import { parseKind, registry, unknownKind, type Plugin } from '../../lib/plugin.js'
import type { Interpreter, InterpreterDeps } from '../model.js'
import { defaultInterpreter } from './default.js'
import { fsInterpreter } from './fs.js'
import { namerdHttpInterpreter } from './namerd-http/plugin.js'
import type { Scope } from '../metrics/index.js'
import type { ClientTlsFiles, PlacedClientTls } from '../net/upstream-tls-files.js'
import { parseTransformers } from '../transformers/index.js'

/** What an interpreter builder receives besides the namers and the router's dtab. */
export interface InterpreterEnv extends InterpreterDeps {
  /** Where problems are reported (a dtab file that stops parsing); default stderr. */
  readonly log?: (message: string) => void
  /** The cache of live bindings: the router's `bindingCache.paths` and `idleTtlSecs`. */
  readonly cache?: { readonly maxSize: number; readonly idleTtlMs: number }
  /** Clock for cache expiry (default `Date.now`). */
  readonly now?: () => number
  /** Longest `delegate` waits for namers and addresses (default 10 s). */
  readonly delegateTimeoutMs?: number
  /** Work budget of one bind or delegation: the router's `bindingNodeLimit`. */
  readonly bindingNodeLimit?: number
  /** How often a dtab file is looked at besides fs.watch events (default 500 ms). */
  readonly dtabFilePollMs?: number
  /** The router's metrics scope, for interpreters that have metrics of their own. */
  readonly stats?: Scope
  /** This host's IP addresses for `io.l5d.localhost` (default: the network interfaces'). */
  readonly interfaceAddresses?: readonly string[]
  /**
   * Told where an interpreter that follows namerd reaches it (the addresses now, read when
   * needed), so that a request's override cannot send traffic to namerd (core/override-guard).
   */
  readonly namerdAt?: (addresses: () => readonly { host: string; port: number }[]) => void
  /**
   * The router's client TLS files, opened and watched by the router with the interpreter's own
   * (`InterpreterSpec.tls`), closed when it stops. Absent: an interpreter reads its files once.
   */
  readonly clientTls?: ClientTlsFiles
}

/** A builder that speaks TLS to something (namerd): its client `tls`, placed in the config. */
export interface ReadsClientTls {
  readonly clientTls?: PlacedClientTls
}

export type InterpreterPlugin = Plugin<Interpreter, InterpreterEnv>

/** Every interpreter kind this project has. */
export const interpreters = registry<Interpreter, InterpreterEnv>(
  defaultInterpreter,
  fsInterpreter,
  namerdHttpInterpreter,
)

/** linkerd interpreters that talk to namerd: planned, not here yet. */
export const NOT_YET_INTERPRETERS: readonly string[] = ['io.l5d.mesh', 'io.l5d.namerd']

/** Other linkerd interpreters, not planned. */
export const LINKERD_ONLY_INTERPRETERS: readonly string[] = [
  'io.l5d.consul.interpreter',
  'io.l5d.k8s.configMap',
  'io.l5d.k8s.istio',
]

/** A checked `interpreter:` section. */
export interface InterpreterSpec {
  readonly kind: string
  /** Config location, e.g. `routers[0].interpreter`. */
  readonly at: string
  readonly make: (env: InterpreterEnv) => Interpreter
  /** The interpreter's client TLS files, for the router to open and watch with its own. */
  readonly tls?: PlacedClientTls
}

/**
 * Checks a router's `interpreter:` (absent: `default`). Pure. Its `transformers:` (every kind
 * may have them) are applied by the builder: `make` gives the transformed interpreter.
 */
export function parseInterpreter(raw: unknown, at: string): InterpreterSpec {
  if (raw === undefined || raw === null) {
    return { kind: 'default', at, make: parseKind(interpreters, new Section({}, at), DEFAULT) }
  }
  const s = new Section(raw, at)
  const kind = s.string('kind', 'default')
  if (!interpreters.has(kind)) {
    const known = [...interpreters.keys()].join(', ')
    const why = NOT_YET_INTERPRETERS.includes(kind)
      ? `kind "${kind}" exists in linkerd but is not supported here yet`
      : unknownKind(kind, LINKERD_ONLY_INTERPRETERS)
    throw new ConfigError(s.where('kind'), `${why} (known: ${known})`)
  }
  const wrap = parseTransformers(s)
  const make = parseKind(interpreters, s, DEFAULT)
  const tls = (make as ReadsClientTls).clientTls
  return {
    kind,
    at,
    ...(tls === undefined ? {} : { tls }),
    make: function makeInterpreter(env) {
      return wrap({ interfaceAddresses: env.interfaceAddresses })(make(env))
    },
  }
}

const DEFAULT = { defaultKind: 'default' } as const
