/**
 * The transformer family (`interpreter.transformers`, linkerd's `TransformerConfig`): each
 * transformer rewrites the bound trees an interpreter gives, in the router, even when namerd
 * binds. Kinds: `io.l5d.port`, `io.l5d.localhost`, `io.l5d.specificHost` (README.md).
 * `parseTransformers` is pure; applying the list is a wrapper `(interpreter) => interpreter'`.
 */
import type { BoundLeaf, NameTree, Path } from '../../dtabs/index.js'
import { Section } from '../../lib/config/section.js'
import { parseKind, registry, type Plugin } from '../../lib/plugin.js'
import type { Interpreter } from '../model.js'
import { transformInterpreter } from './interpreter.js'
import { localhostTransformer } from './localhost.js'
import { portTransformer } from './port.js'
import { specificHostTransformer } from './specific-host.js'

/**
 * One transformer: `transform` maps a bound tree (leaf ids prefixed with `prefix`, address
 * sets mapped) and returns the same objects for the same inputs, so it may run on every tree
 * change without disturbing the router's clients.
 */
export interface TreeTransformer {
  /** What every id gets in front, e.g. `/%/io.l5d.port/4141`. */
  readonly prefix: Path
  transform(tree: NameTree<BoundLeaf>): NameTree<BoundLeaf>
}

/** What a transformer builder receives. */
export interface TransformerDeps {
  /** This host's IP addresses, canonical (default: its network interfaces', read once). */
  readonly interfaceAddresses?: readonly string[]
}

export type TransformerPlugin = Plugin<TreeTransformer, TransformerDeps>

/** Every transformer kind this project has. */
export const transformers = registry<TreeTransformer, TransformerDeps>(
  portTransformer,
  localhostTransformer,
  specificHostTransformer,
)

/** Transformer kinds linkerd 1.7 has and this project does not. */
export const LINKERD_ONLY_TRANSFORMERS: readonly string[] = [
  'io.l5d.const',
  'io.l5d.k8s.daemonset',
  'io.l5d.k8s.localnode',
  'io.l5d.replace',
]

/** A checked `transformers:` list: given its deps, the wrapper it applies to an interpreter. */
export type InterpreterWrapper = (deps: TransformerDeps) => (inner: Interpreter) => Interpreter

/**
 * Reads the `transformers:` list of section `s` (an interpreter), each item located
 * (`routers[0].interpreter.transformers[1].port`). Absent or empty: the identity wrapper.
 */
export function parseTransformers(s: Section): InterpreterWrapper {
  const makers = s.list('transformers', (item, at) =>
    parseKind(transformers, new Section(item, at), { notHere: LINKERD_ONLY_TRANSFORMERS }),
  )
  if (makers.length === 0) return () => identity
  return function makeTransformers(deps) {
    const built = makers.map((make) => make(deps))
    return (inner) => transformInterpreter(inner, built)
  }
}

function identity(inner: Interpreter): Interpreter {
  return inner
}
