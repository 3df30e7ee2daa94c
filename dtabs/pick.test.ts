import test from 'ava'
import { constant, type Bound, type BoundLeaf, type NameTree } from './index.js'
import { makeRng } from '../testing/random.js'
import { pickLeaf, splitOf } from './pick.js'
import { bindOnce } from './bind.js'
import { readDtab, readPath } from './parse.js'
import { fixtureNamers } from '../testing/fixture-namer.js'

const bound = (name: string): Bound => ({
  id: ['#', 'fs', name],
  path: [],
  addr: constant({ type: 'bound', addrs: [] }),
})
const leaf = (name: string): NameTree<BoundLeaf> => ({
  type: 'leaf',
  value: { bound: bound(name) },
})
/** A union of `[weight, tree]` members. */
const union = (...members: [number, NameTree<BoundLeaf>][]): NameTree<BoundLeaf> => ({
  type: 'union',
  trees: members.map(([weight, tree]) => ({ weight, tree })),
})

test('a union is split in proportion to its weights, recursively', (t) => {
  const tree = union([9, leaf('v1')], [1, union([1, leaf('v2a')], [1, leaf('v2b')])])
  const counts = new Map<string, number>()
  const rng = makeRng(7)
  const random = (): number => rng.u32() / 2 ** 32
  for (let i = 0; i < 20_000; i++) {
    const id = pickLeaf(tree, random)?.bound.id[2] ?? 'none'
    counts.set(id, (counts.get(id) ?? 0) + 1)
  }
  // 20,000 draws: one standard deviation of the 90% share is 0.21 points; allow 1 point.
  const share = (n: number | undefined): number => (100 * (n ?? 0)) / 20_000
  t.true(Math.abs(share(counts.get('v1')) - 90) < 1, `v1 ${share(counts.get('v1'))}%`)
  t.true(Math.abs(share(counts.get('v2a')) - 5) < 1, `v2a ${share(counts.get('v2a'))}%`)
  t.true(Math.abs(share(counts.get('v2b')) - 5) < 1, `v2b ${share(counts.get('v2b'))}%`)
})

test('zero-weight members are never picked; Neg, Fail and Empty route nowhere', (t) => {
  const tree: NameTree<BoundLeaf> = {
    type: 'union',
    trees: [
      { weight: 0, tree: leaf('off') },
      { weight: 1, tree: leaf('on') },
    ],
  }
  for (const r of [0, 0.3, 0.999999]) t.is(pickLeaf(tree, () => r)?.bound.id[2], 'on')
  t.is(pickLeaf({ type: 'neg' }), undefined)
  t.is(pickLeaf({ type: 'fail' }), undefined)
  t.is(pickLeaf({ type: 'empty' }), undefined)
  t.is(pickLeaf({ type: 'union', trees: [{ weight: 1, tree: { type: 'empty' } }] }), undefined)
})

/** The split as { id: percent } rounded to 1e-6, for comparisons with hand-computed shares. */
const percents = (tree: NameTree<BoundLeaf>): Record<string, number> =>
  Object.fromEntries([...splitOf(tree)].map(([id, s]) => [id, Math.round(s.share * 1e8) / 1e6]))

const bindSplit = (dtab: string, path = '/svc/x'): Record<string, number> => {
  const namers = fixtureNamers({ '/#/fs': { v1: ['10.0.0.1:80'], v2: ['10.0.0.2:80'] } })
  const state = bindOnce({ dtab: readDtab(dtab), namers }, readPath(path))
  if (state.type !== 'ok') throw new Error(`bind: ${state.type}`)
  return percents(state.value)
}

test('splitOf: a union splits by weight, nested unions multiply, one id reached twice adds up', (t) => {
  const tree = union([9, leaf('v1')], [1, union([3, leaf('v2')], [1, leaf('v1')])])
  t.deepEqual(percents(tree), { '/#/fs/v1': 92.5, '/#/fs/v2': 7.5 })
  t.deepEqual(percents(leaf('v1')), { '/#/fs/v1': 100 })
})

test('splitOf: zero weights are never picked; all zero takes the first member, as pickLeaf', (t) => {
  const zero = (a: number, b: number) => union([a, leaf('a')], [b, leaf('b')])
  t.deepEqual(percents(zero(0, 5)), { '/#/fs/b': 100 })
  t.deepEqual(percents(zero(0, 0)), { '/#/fs/a': 100 })
  t.is(pickLeaf(zero(0, 0), () => 0.7)?.bound.id[2], 'a')
})

test('splitOf: Neg, Fail and Empty route nowhere: no entry, and their share is lost', (t) => {
  t.deepEqual(percents({ type: 'neg' }), {})
  t.deepEqual(percents({ type: 'fail' }), {})
  t.deepEqual(percents({ type: 'empty' }), {})
  t.deepEqual(percents({ type: 'union', trees: [] }), {})
  const partial = union([3, leaf('v1')], [1, { type: 'empty' }])
  t.deepEqual(percents(partial), { '/#/fs/v1': 75 })
})

test('splitOf of bound trees: alternates take the first branch that binds; Neg members drop out', (t) => {
  t.deepEqual(bindSplit('/svc/x=>/#/fs/missing | /#/fs/v2 | /#/fs/v1'), { '/#/fs/v2': 100 })
  t.deepEqual(bindSplit('/svc/x=>90 * /#/fs/v1 & 10 * /#/fs/v2'), {
    '/#/fs/v1': 90,
    '/#/fs/v2': 10,
  })
  // A union member that binds to Neg is dropped by binding: the others share all the traffic.
  t.deepEqual(bindSplit('/svc/x=>1 * /#/fs/v1 & 1 * /#/fs/missing'), { '/#/fs/v1': 100 })
  t.deepEqual(
    bindSplit('/svc=>/#/fs;/svc/x=>3 * (/svc/v1 | /svc/v2) & 1 * (1 * /svc/v2 & 1 * /svc/v1)'),
    { '/#/fs/v1': 87.5, '/#/fs/v2': 12.5 },
  )
  t.deepEqual(bindSplit('/svc/x=>/#/fs/missing'), {})
})
