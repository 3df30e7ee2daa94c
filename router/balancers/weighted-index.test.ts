import test from 'ava'
import { aliasTable, WeightedIndex } from './weighted-index.js'

/** Each position's exact probability: column i gives prob[i]/n to i, the rest to alias[i]. */
function exactShares(weights: number[]): number[] {
  const { prob, alias } = aliasTable(weights)
  const n = weights.length
  const shares = new Array<number>(n).fill(0)
  prob.forEach((p, i) => {
    shares[i] = (shares[i] ?? 0) + p / n
    const a = alias[i] ?? i
    shares[a] = (shares[a] ?? 0) + (1 - p) / n
  })
  return shares
}

test('aliasTable: the table gives each position weight / total', (t) => {
  const table: [number[], number[]][] = [
    [[1], [1]],
    [
      [1, 1],
      [0.5, 0.5],
    ],
    [
      [3, 1],
      [0.75, 0.25],
    ],
    [
      [1, 2, 3, 4],
      [0.1, 0.2, 0.3, 0.4],
    ],
    [
      [0.01, 99.99],
      [0.0001, 0.9999],
    ],
    [
      [5, 5, 5, 5, 80],
      [0.05, 0.05, 0.05, 0.05, 0.8],
    ],
  ]
  for (const [weights, expected] of table) {
    const got = exactShares(weights)
    t.true(
      got.every((g, i) => Math.abs(g - (expected[i] ?? NaN)) < 1e-12),
      `${String(weights)} → ${String(got)}`,
    )
  }
})

test('WeightedIndex: zero weights are left out unless all are zero; classes are runs', (t) => {
  const e = (weight: number, name: string) => ({ weight, name })
  const index = new WeightedIndex<{ weight: number; name: string }>()
  index.rebuild([e(2, 'a'), e(0, 'z'), e(1, 'b'), e(2, 'c'), e(1, 'd')])
  t.deepEqual(
    index.entries.map((x) => x.name),
    ['b', 'd', 'a', 'c'],
  )
  t.deepEqual([...index.classLo], [0, 0, 2, 2])
  t.deepEqual([...index.classHi], [2, 2, 4, 4])
  t.deepEqual([...index.scale], [1, 1, 0.5, 0.5])
  index.rebuild([e(0, 'x'), e(0, 'y')])
  t.deepEqual(
    index.entries.map((x) => x.name),
    ['x', 'y'],
  )
  t.deepEqual([...index.scale], [1, 1])
  t.deepEqual([...index.classHi], [2, 2])
  index.rebuild([])
  t.is(index.size, 0)
})

test('WeightedIndex: draw maps u in [0, 1) to positions by weight', (t) => {
  const index = new WeightedIndex<{ weight: number }>()
  index.rebuild([{ weight: 1 }, { weight: 3 }])
  const counts = [0, 0]
  const steps = 10_000
  for (let k = 0; k < steps; k++) {
    const p = index.draw(() => k / steps)
    counts[p] = (counts[p] ?? 0) + 1
  }
  t.deepEqual(counts, [2500, 7500])
  t.is(
    index.draw(() => 1),
    index.draw(() => 1 - 2 ** -53),
  )
})

test('WeightedIndex: other never returns p and covers the rest of [lo, hi) evenly', (t) => {
  const index = new WeightedIndex<{ weight: number }>()
  const cases: [number, number, number][] = [
    [0, 0, 2],
    [1, 0, 2],
    [3, 2, 6],
    [5, 2, 6],
    [2, 2, 6],
  ]
  for (const [p, lo, hi] of cases) {
    const counts = new Map<number, number>()
    for (let k = 0; k < 600; k++) {
      const q = index.other(() => k / 600, p, lo, hi)
      counts.set(q, (counts.get(q) ?? 0) + 1)
    }
    const expected = new Map<number, number>()
    for (let q = lo; q < hi; q++) if (q !== p) expected.set(q, 600 / (hi - lo - 1))
    t.deepEqual([...counts].sort(), [...expected].sort(), `p ${p} in [${lo}, ${hi})`)
    const edge = index.other(() => 1, p, lo, hi)
    t.true(edge !== p && edge >= lo && edge < hi)
  }
})
