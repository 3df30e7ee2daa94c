import test from 'ava'
import { makeRng } from '../testing/random.js'
import { dentryLines, diffLines, differs, type Change } from './diff.js'
import { readDtab } from './parse.js'

const ops = (changes: Change[]) => changes.map((c) => `${c.op}${c.dentry}`)

test('equal lists: every line unchanged, no difference', (t) => {
  const lines = ['a', 'b', 'c']
  t.deepEqual(ops(diffLines(lines, lines)), [' a', ' b', ' c'])
  t.false(differs(diffLines(lines, lines)))
  t.deepEqual(diffLines([], []), [])
})

test('a changed dentry is a removal then an addition, in place', (t) => {
  t.deepEqual(ops(diffLines(['a', 'b', 'c'], ['a', 'B', 'c'])), [' a', '-b', '+B', ' c'])
  t.true(differs(diffLines(['a'], ['b'])))
})

test('from or to empty: all removed or all added', (t) => {
  t.deepEqual(ops(diffLines([], ['x', 'y'])), ['+x', '+y'])
  t.deepEqual(ops(diffLines(['x', 'y'], [])), ['-x', '-y'])
})

test('order matters: swapping two dentries is not "no change"', (t) => {
  const changes = diffLines(['a', 'b'], ['b', 'a'])
  t.true(differs(changes))
  t.is(changes.filter((c) => c.op === ' ').length, 1)
})

/** The longest common subsequence length, by plain recursion with memo (independent of diff.ts). */
function lcsLength(a: string[], b: string[]): number {
  const memo = new Map<string, number>()
  const go = (i: number, j: number): number => {
    if (i === a.length || j === b.length) return 0
    const key = `${i},${j}`
    const hit = memo.get(key)
    if (hit !== undefined) return hit
    const v = a[i] === b[j] ? 1 + go(i + 1, j + 1) : Math.max(go(i + 1, j), go(i, j + 1))
    memo.set(key, v)
    return v
  }
  return go(0, 0)
}

test('property: the diff rebuilds both sides and keeps a longest common subsequence', (t) => {
  const r = makeRng(42)
  for (let n = 0; n < 300; n++) {
    const list = () => Array.from({ length: r.int(8) }, () => r.pick(['a', 'b', 'c', 'd']))
    const from = list()
    const to = list()
    const changes = diffLines(from, to)
    const side = (skip: string) => changes.filter((c) => c.op !== skip).map((c) => c.dentry)
    t.deepEqual(side('+'), from)
    t.deepEqual(side('-'), to)
    t.is(changes.filter((c) => c.op === ' ').length, lcsLength(from, to), `${from} -> ${to}`)
  }
})

test('dentries are compared in canonical form: spacing and weights do not count', (t) => {
  const a = dentryLines(readDtab('/svc=>/srv; /svc/users => 1*/a & 1.0 * /b'))
  const b = dentryLines(readDtab('/svc => /srv;\n/svc/users=>/a&/b;'))
  t.deepEqual(a, ['/svc => /srv', '/svc/users => /a & /b'])
  t.false(differs(diffLines(a, b)))
})
