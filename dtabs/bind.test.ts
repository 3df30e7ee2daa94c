import test from 'ava'
import { bindOnce, type BindContext } from './bind.js'
import { readDtab, readPath } from './parse.js'
import { mapTree, type NameTree } from './name-tree.js'
import type { Dentry } from './dtab.js'
import type { ActState } from './activity.js'
import type { BoundLeaf } from './name.js'
import { boundTreeToJson } from './json.js'
import { fixtureNamers } from '../testing/fixture-namer.js'
import { makeRng, randomTree, type Rng } from '../testing/random.js'
import { referenceBind } from '../testing/dtabs/reference-bind.js'

const namers = fixtureNamers({ '/#/fs': { s1: ['10.0.0.1:80'], s2: ['10.0.0.2:80'] } })
const PREFIXES = ['/a', '/b', '/c', '/d', '/c/a']
const LEAVES = ['/a', '/b', '/c/a', '/c/b', '/d', '/#/fs/s1', '/#/fs/s2/r', '/#/fs/none', '/e']

/** A bind result as comparable text: tree shape, weights, bound ids and residuals, or error. */
function shown(state: ActState<NameTree<BoundLeaf>>): string {
  if (state.type === 'ok') return JSON.stringify(boundTreeToJson(state.value))
  if (state.type === 'failed') return `failed: ${(state.error as { code?: string }).code}`
  return 'pending'
}

/** Dentries over a few short prefixes whose trees point at one another, so that they chain. */
function chainingDtab(r: Rng): Dentry[] {
  const dtab: Dentry[] = []
  for (let n = r.range(1, 5); n > 0; n--) {
    const tree = randomTree(r, { depth: 2 })
    const dst = mapTree(tree, () => ({ type: 'leaf', value: readPath(r.pick(LEAVES)) }))
    dtab.push({ prefix: readPath(r.pick(PREFIXES)), dst })
  }
  return dtab
}

test('sharing sub-trees binds exactly as the plain recursive binder on 1,000 random dtabs', (t) => {
  const r = makeRng(13)
  let kinds = new Set<string>()
  let compared = 0
  for (let i = 0; i < 1000; i++) {
    const ctx: BindContext = { dtab: chainingDtab(r), namers, maxNodes: 20_000 }
    for (const p of ['/a', '/b', '/c/a', '/d']) {
      const reference = referenceBind(ctx, readPath(p))
      const got = shown(bindOnce(ctx, readPath(p)))
      if (reference === undefined || got === 'failed: ERR_BIND_TOO_LARGE') continue
      compared++
      const want = shown(reference)
      if (got !== want) {
        t.is(got, want, `dtab ${i}, path ${p}`)
        return
      }
      kinds = kinds.add(want.slice(0, 18))
    }
  }
  // The random dtabs reach unions, leaves, Neg and depth failures, not just one outcome.
  t.true(kinds.size >= 5, [...kinds].join(' | '))
  t.true(compared > 3000, `only ${compared} binds were small enough to compare`)
})

function doubling(levels: number): BindContext {
  const dentries = []
  for (let i = 0; i < levels; i++) dentries.push(`/p${i}=>/p${i + 1}&/p${i + 1}`)
  dentries.push(`/p${levels}=>/#/fs/s1`)
  return { dtab: readDtab(dentries.join(';')), namers }
}

test('a union that doubles at each level binds exactly while its tree fits the budget', (t) => {
  const ctx = { ...doubling(10), maxNodes: 10_000 }
  const state = bindOnce(ctx, readPath('/p0'))
  t.is(shown(state), shown(referenceBind(ctx, readPath('/p0')) ?? { type: 'pending' }))
})

for (const levels of [13, 23, 64]) {
  test(`a union doubling at each of ${levels} levels fails with the budget error, fast`, (t) => {
    const started = performance.now()
    const state = bindOnce(doubling(levels), readPath('/p0'))
    t.like(state, { type: 'failed', error: { code: 'ERR_BIND_TOO_LARGE' } })
    t.regex(state.type === 'failed' ? state.error.message : '', /1000 nodes.*bindingNodeLimit/)
    t.true(performance.now() - started < 2000, 'a hang, not a budget')
  })
}

test('a union doubling at each of 1,000 levels fails at the depth limit, as Finagle, fast', (t) => {
  // Deeper than MAX_DEPTH: every member fails at depth 100, so the whole bind fails with the
  // depth error; the shared sub-trees make that cost one pass down, not 2^100.
  const started = performance.now()
  const state = bindOnce(doubling(1000), readPath('/p0'))
  t.like(state, { type: 'failed', error: { code: 'ERR_MAX_DEPTH' } })
  t.true(performance.now() - started < 2000, 'a hang, not a budget')
})

test('a path that grows by a long residual at each step is bounded by its length', (t) => {
  const long = Array.from({ length: 2000 }, (_, i) => `e${i}`).join('/')
  const ctx = { dtab: readDtab(`/p=>/q/${long}&/r/${long};/q=>/p;/r=>/p`), namers }
  const started = performance.now()
  t.like(bindOnce(ctx, readPath('/p')), { error: { code: 'ERR_BIND_TOO_LARGE' } })
  t.true(performance.now() - started < 2000, 'a hang, not a budget')
})

test('prefix rewriting that makes every path distinct is bounded by the budget too', (t) => {
  // /p => /q/a & /q/b; /q => /p: each level doubles the distinct paths and every member ends
  // in a depth failure, so the result is small while the unbounded work is 2^100.
  const ctx = { dtab: readDtab('/p=>/q/a&/q/b;/q=>/p'), namers }
  const state = bindOnce(ctx, readPath('/p'))
  t.like(state, { type: 'failed', error: { code: 'ERR_BIND_TOO_LARGE' } })
})

test('the budget counts the written-out tree: 1,024 shared leaves need more than 1,000', (t) => {
  const small = { ...doubling(10), maxNodes: 1000 }
  t.like(bindOnce(small, readPath('/p0')), { error: { code: 'ERR_BIND_TOO_LARGE' } })
  const enough = { ...doubling(10), maxNodes: 4000 }
  t.is(bindOnce(enough, readPath('/p0')).type, 'ok')
})
