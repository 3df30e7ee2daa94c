/**
 * Applying transformers: a wrapper `(interpreter) => interpreter'` (linkerd's
 * `NameTreeTransformer.wrap`), the only way transformers touch routing.
 */
import {
  ok,
  sameState,
  type ActState,
  type Activity,
  type BoundLeaf,
  type Dtab,
  type NameTree,
  type Path,
} from '../../dtabs/index.js'
import type { Interpreter } from '../model.js'
import type { TreeTransformer } from './index.js'
import { MappedVar } from './mapped-var.js'

type BoundTree = NameTree<BoundLeaf>

/**
 * Wraps `inner` so that every bound tree it gives goes through `transformers`, in order (the
 * first one's prefix ends up innermost: `/%/<second>/%/<first>/#/…`, as linkerd's fold).
 * Pending and failed bindings pass through. The transformed binding is one object per inner
 * binding, and is recomputed only when the inner tree changes, never per request.
 *
 * `delegate` stays untransformed (linkerd adds a `transformation` node; the admin delegator
 * here shows the inner interpreter's explanation). `baseDtab`, `state` and `close` are the
 * inner interpreter's.
 */
export function transformInterpreter(
  inner: Interpreter,
  transformers: readonly TreeTransformer[],
): Interpreter {
  if (transformers.length === 0) return inner
  const bindings = new WeakMap<Activity<BoundTree>, Activity<BoundTree>>()
  const transform = (state: ActState<BoundTree>, previous?: ActState<BoundTree>) => {
    if (state.type !== 'ok') return state
    let tree = state.value
    for (const t of transformers) tree = t.transform(tree)
    const next = ok(tree)
    return previous !== undefined && sameState(previous, next) ? previous : next
  }
  const wrapped: Interpreter = {
    bind(localDtab: Dtab, path: Path): Activity<BoundTree> {
      const source = inner.bind(localDtab, path)
      let mapped = bindings.get(source)
      if (mapped === undefined) {
        mapped = new MappedVar(source, transform)
        bindings.set(source, mapped)
      }
      return mapped
    },
    baseDtab: () => inner.baseDtab(),
    delegate: (localDtab, path) => inner.delegate(localDtab, path),
    close: () => inner.close(),
  }
  const state = inner.state
  return state === undefined ? wrapped : { ...wrapped, state: () => state.call(inner) }
}
