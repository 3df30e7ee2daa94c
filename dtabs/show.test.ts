// Section numbers (§) are those of docs/dtab-semantics.md.
import test from 'ava'
import { showDentry, showDtab, showPrefix, WILDCARD } from './dtab.js'
import { EMPTY, FAIL, NEG, type NameTree } from './name-tree.js'
import { showPath, type Path } from './path.js'
import { showPathTree, showTree } from './show.js'

type Tree = NameTree<Path>

const a: Tree = { type: 'leaf', value: ['a'] }
const b: Tree = { type: 'leaf', value: ['b'] }
const c: Tree = { type: 'leaf', value: ['c'] }
const x: Tree = { type: 'leaf', value: ['x'] }
const alt = (...trees: Tree[]): Tree => ({ type: 'alt', trees })
/** A union from `[weight, tree]` pairs, or bare trees (weight 1). */
const union = (...members: (Tree | [number, Tree])[]): Tree => ({
  type: 'union',
  trees: members.map((m) =>
    Array.isArray(m) ? { weight: m[0], tree: m[1] } : { weight: 1, tree: m },
  ),
})

test('the three printers: parentheses only where precedence needs them (§3.3)', (t) => {
  t.is(showPathTree(alt(a, b, c)), '/a | /b | /c')
  t.is(showPathTree(union(a, b)), '/a & /b')
  t.is(showPathTree(alt(union(a, b), c)), '/a & /b | /c')
  t.is(showPathTree(alt(alt(a, b), c)), '(/a | /b) | /c')
  t.is(showPathTree(alt(a, alt(b, c))), '/a | (/b | /c)')
  t.is(showPathTree(union(alt(a, b), c)), '(/a | /b) & /c')
  t.is(showPathTree(union(a, union(b, c))), '/a & (/b & /c)')
  t.is(showPathTree(union([0.5, union(b, c)], a)), '0.50*(/b & /c) & /a')
  t.is(showPathTree(alt(FAIL, NEG, EMPTY)), '! | ~ | $')
  t.is(showPathTree(union([0.5, NEG], EMPTY, [2, FAIL])), '0.50*~ & $ & 2.00*!')
  t.is(showPathTree(a), '/a')
  t.is(showPathTree({ type: 'leaf', value: [] }), '/')
})

test('weights: omitted only when exactly 1.0, else two decimals and `*` (§3.3)', (t) => {
  t.is(showPathTree(union([1, a], [1.0, b])), '/a & /b')
  t.is(showPathTree(union([Number('0.99999999999999999999'), a], b)), '/a & /b')
  t.is(showPathTree(union([0.996, a], b)), '1.00*/a & /b')
  t.is(showPathTree(union([1.0000000000000002, a], b)), '1.00*/a & /b')
  t.is(showPathTree(union([0.125, a], [1.115, b])), '0.13*/a & 1.12*/b')
  t.is(showPathTree(union([1e22, a], [0, b])), '10000000000000000000000.00*/a & 0.00*/b')
})

test('a single-child Alt or Union shows as its child, in every printer', (t) => {
  // show
  t.is(showPathTree(alt(alt(a, b))), '/a | /b')
  t.is(showPathTree(alt(a)), '/a')
  t.is(showPathTree(union([3, x])), '/x')
  t.is(showPathTree(alt(union([2, a], b))), '2.00*/a & /b')
  t.is(showPathTree(union([0.5, alt(a, b)])), '/a | /b')
  t.is(showPathTree(alt(union([0.5, alt(alt(a, b))]))), '/a | /b')
  // show1 (children of a top-level Alt)
  t.is(showPathTree(alt(alt(union(a, b)), c)), '/a & /b | /c')
  t.is(showPathTree(alt(a, alt(b))), '/a | /b')
  t.is(showPathTree(alt(a, union([7, b]))), '/a | /b')
  t.is(showPathTree(alt(union([7, alt(b, c)]), a)), '(/b | /c) | /a')
  // showSimple (members of a Union): the member's own weight is kept, the inner one is not
  t.is(showPathTree(union([0.5, alt(a, b)], c)), '0.50*(/a | /b) & /c')
  t.is(showPathTree(union([0.5, union([2, x])], c)), '0.50*/x & /c')
  t.is(showPathTree(union([0.5, union([2, union(a, b)])], c)), '0.50*(/a & /b) & /c')
  t.is(showPathTree(union(alt(alt(a, b)), c)), '(/a | /b) & /c')
  t.is(showPathTree(union([2, alt(union(a, b))], c)), '2.00*(/a & /b) & /c')
  t.is(showPathTree(union(alt(NEG), [3, union([4, EMPTY])])), '~ & 3.00*$')
})

test('zero-child nodes show as the empty string at top level, `()` below it', (t) => {
  t.is(showPathTree(alt()), '')
  t.is(showPathTree(union()), '')
  t.is(showPathTree(alt(alt())), '')
  t.is(showPathTree(union([2, union()])), '')
  t.is(showPathTree(alt(a, alt())), '/a | ()')
  t.is(showPathTree(union(a, union())), '/a & ()')
  t.is(showPathTree(union([0.5, alt()], a)), '0.50*() & /a')
})

test('showTree takes the leaf printer as a parameter', (t) => {
  const tree: NameTree<number> = {
    type: 'alt',
    trees: [
      { type: 'leaf', value: 1 },
      { type: 'union', trees: [{ weight: 0.25, tree: { type: 'leaf', value: 2 } }] },
    ],
  }
  t.is(
    showTree(tree, (n) => `<${n}>`),
    '<1> | <2>',
  )
})

// §1.2, typed out independently of path.ts.
const SHOWABLE = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_:.#$%-'

test('every byte: showable ones verbatim, all others as `\\x` and lower-case hex (§1.5)', (t) => {
  for (let byte = 0; byte < 256; byte++) {
    const ch = String.fromCharCode(byte)
    const escaped = '\\x' + byte.toString(16).padStart(2, '0')
    t.is(showPath([ch]), '/' + (SHOWABLE.includes(ch) ? ch : escaped), `byte ${byte}`)
  }
})

test('one non-showable byte escapes every byte of its element, and only of it (§1.5)', (t) => {
  t.is(showPath([]), '/')
  t.is(showPath(['foo']), '/foo')
  t.is(showPath(['foo bar']), '/\\x66\\x6f\\x6f\\x20\\x62\\x61\\x72')
  t.is(showPath(['x/y']), '/\\x78\\x2f\\x79')
  t.is(showPath(['$', 'fail']), '/$/fail')
  t.is(showPath(['\u00ab\u00cd']), '/\\xab\\xcd')
  t.is(showPath(['ok', 'a*', 'ok']), '/ok/\\x61\\x2a/ok')
  t.is(showPath(['#', 'io.l5d.fs']), '/#/io.l5d.fs')
  t.is(showPath(['%2F', 'a-b_c:d.e']), '/%2F/a-b_c:d.e')
  t.is(showPath(['\u00e9']), '/\\xe9')
})

test('prefixes, dentries and dtabs (§2.1, §2.3, §4.1)', (t) => {
  t.is(showPrefix([]), '/')
  t.is(showPrefix(['a', WILDCARD, 'b']), '/a/*/b')
  t.is(showPrefix(['*']), '/\\x2a')
  t.is(showPrefix([WILDCARD, 'a b']), '/*/\\x61\\x20\\x62')
  t.is(showDentry({ prefix: ['svc'], dst: alt(a, union([0.5, b], c)) }), '/svc=>/a | 0.50*/b & /c')
  t.is(showDentry({ prefix: [], dst: FAIL }), '/=>!')
  t.is(showDtab([]), '')
  t.is(
    showDtab([
      { prefix: ['a'], dst: b },
      { prefix: ['c', WILDCARD], dst: NEG },
    ]),
    '/a=>/b;/c/*=>~',
  )
})
