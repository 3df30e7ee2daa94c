import test from 'ava'
import { constant, type Bound, type BoundLeaf, type NameTree } from './index.js'
import { makeRng } from '../testing/random.js'
import { pickLeaf } from './pick.js'

const bound = (name: string): Bound => ({
  id: ['#', 'fs', name],
  path: [],
  addr: constant({ type: 'bound', addrs: [] }),
})
const leaf = (name: string): NameTree<BoundLeaf> => ({
  type: 'leaf',
  value: { bound: bound(name) },
})

test('a union is split in proportion to its weights, recursively', (t) => {
  const tree: NameTree<BoundLeaf> = {
    type: 'union',
    trees: [
      { weight: 9, tree: leaf('v1') },
      {
        weight: 1,
        tree: {
          type: 'union',
          trees: [
            { weight: 1, tree: leaf('v2a') },
            { weight: 1, tree: leaf('v2b') },
          ],
        },
      },
    ],
  }
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
