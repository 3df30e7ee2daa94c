/** Test helpers for interpreters: a fixture namer set and bound trees as text. */
import {
  Cell,
  NEG,
  constant,
  ok,
  showPath,
  showTree,
  waitFor,
  type ActState,
  type BoundLeaf,
  type MountedNamer,
  type Name,
  type NameTree,
  type Namer,
  type Var,
} from '../../dtabs/index.js'
import { fixtureNamers } from '../fixture-namer.js'

/**
 * `/#/io.l5d.fs` with users, users-v1, users-v2 and billing-zone-b; `/$` answers Neg. As a real
 * namer does, the same residual gives the same activity (so the same address Var).
 */
export function fixtureFs(): MountedNamer[] {
  const neg: Namer = { lookup: () => constant(ok<NameTree<Name>>(NEG)) }
  const memo = ({ prefix, namer }: MountedNamer): MountedNamer => {
    const seen = new Map<string, ReturnType<Namer['lookup']>>()
    const lookup: Namer['lookup'] = (residual) => {
      const key = residual.join('/')
      const found = seen.get(key) ?? namer.lookup(residual)
      seen.set(key, found)
      return found
    }
    return { prefix, namer: { lookup } }
  }
  return [
    ...fixtureNamers({
      '/#/io.l5d.fs': {
        users: ['127.0.0.1:9001'],
        'users-v1': ['127.0.0.1:9001', '127.0.0.1:9002'],
        'users-v2': ['127.0.0.1:9101'],
        'billing-zone-b': ['127.0.0.1:9201'],
      },
    }).map(memo),
    { prefix: ['$'], namer: neg },
  ]
}

/** A bind result as text: `ok <tree of bound ids>`, `pending` or `failed: <message>`. */
export function shown(state: ActState<NameTree<BoundLeaf>>): string {
  if (state.type === 'pending') return 'pending'
  if (state.type === 'failed') return `failed: ${state.error.message}`
  return `ok ${showTree(state.value, (leaf) => showPath(leaf.bound.id))}`
}

/** Resolves when `v` shows as `expected`; rejects after `ms` with what it showed last. */
export async function until(
  v: Var<ActState<NameTree<BoundLeaf>>>,
  expected: string,
  ms = 1000,
): Promise<void> {
  let last = shown(v.get())
  await waitFor(
    v,
    (s) => (last = shown(s)) === expected,
    ms,
    () => new Error(`not within ${ms} ms: ${expected} (last: ${last})`),
  )
}

/** A namer at `/#/late` whose lookups stay pending until `release()`. */
export function lateNamer(): { mounted: MountedNamer; release(): void } {
  const cell = new Cell<ActState<NameTree<Name>>>({ type: 'pending' })
  return {
    mounted: { prefix: ['#', 'late'], namer: { lookup: () => cell } },
    release: () => cell.set(ok({ type: 'leaf', value: ['#', 'io.l5d.fs', 'users'] })),
  }
}
