// Section numbers (§) are those of docs/dtab-semantics.md.
import test from 'ava'
import { WILDCARD, type Dtab } from './dtab.js'
import { DtabParseError } from './errors.js'
import { EMPTY, FAIL, NEG, type NameTree } from './name-tree.js'
import { readDentry, readDtab, readNameTree, readPath, readPrefix } from './parse.js'
import { JAVA_WHITESPACE } from '../testing/random.js'

type Reader = (input: string) => unknown

const leaf = (...elems: string[]): NameTree<string[]> => ({ type: 'leaf', value: elems })
const alt = (...trees: NameTree<string[]>[]): NameTree<string[]> => ({ type: 'alt', trees })
const union = (...members: [number, NameTree<string[]>][]): NameTree<string[]> => ({
  type: 'union',
  trees: members.map(([weight, tree]) => ({ weight, tree })),
})

/** Reads `input` expecting a DtabParseError, and returns it. */
function parseError(read: Reader, input: string): DtabParseError {
  try {
    read(input)
  } catch (e) {
    if (e instanceof DtabParseError) return e
    throw e
  }
  throw new Error(`${read.name}(${JSON.stringify(input)}) did not fail`)
}

/**
 * Bad inputs and where their error is, worked out by hand from the grammar in parse.ts:
 * [reader, input, offset, line, column, the character shown between brackets].
 */
const ERRORS: [Reader, string, number, number, number, string][] = [
  // `=>` admits no whitespace inside: the space after `=` is the error.
  [readDentry, '/a= >/b', 3, 1, 4, ' '],
  [readDentry, '/a=/b', 3, 1, 4, '/'],
  [readDentry, '/a>/b', 2, 1, 3, '>'],
  [readDentry, 'a=>/b', 0, 1, 1, 'a'],
  [readDentry, '/a=>', 4, 1, 5, ''],
  // A prefix ends before `*bar`; `=>` is then expected at `b`.
  [readDentry, '/foo/*bar/baz => !', 6, 1, 7, 'b'],
  [readDentry, '/&!', 1, 1, 2, '&'],
  [readDentry, '/a/=>/b', 3, 1, 4, '='],
  // Wildcards are not labels, so a destination cannot hold one.
  [readDentry, '/a/* => /b/*', 11, 1, 12, '*'],
  // After `/`, anything that is not a label means the root path, so `//foo` fails at 1.
  [readPath, '//foo', 1, 1, 2, '/'],
  [readPath, '/foo//bar', 5, 1, 6, '/'],
  [readPath, '/foo/bar/', 9, 1, 10, ''],
  [readPath, '/foo bar', 5, 1, 6, 'b'],
  [readPath, '/foo^bar', 4, 1, 5, '^'],
  [readPath, '/{}', 1, 1, 2, '{'],
  [readPath, '', 0, 1, 1, ''],
  [readPath, 'foo', 0, 1, 1, 'f'],
  // Escapes: `\` then lower-case `x` then two hex digits.
  [readPath, '/a\\X41', 3, 1, 4, 'X'],
  [readPath, '/\\?', 2, 1, 3, '?'],
  [readPath, '/\\x?', 3, 1, 4, '?'],
  [readPath, '/\\x0?', 4, 1, 5, '?'],
  [readPath, '/\\xg0', 3, 1, 4, 'g'],
  [readPath, '/\\x4g', 4, 1, 5, 'g'],
  [readPath, '/\\x4', 4, 1, 5, ''],
  [readPath, '/a\\', 3, 1, 4, ''],
  [readPrefix, '/p/q/', 5, 1, 6, ''],
  [readPrefix, '/foo*', 4, 1, 5, '*'],
  [readPrefix, '/**', 2, 1, 3, '*'],
  [readPrefix, '/a/*b', 4, 1, 5, 'b'],
  [readNameTree, '', 0, 1, 1, ''],
  [readNameTree, '#', 1, 1, 2, ''],
  [readNameTree, '# only a comment', 16, 1, 17, ''],
  [readNameTree, '/a | | /b', 5, 1, 6, '|'],
  [readNameTree, '/a||/b', 3, 1, 4, '|'],
  [readNameTree, '| /a', 0, 1, 1, '|'],
  [readNameTree, '/a & ', 5, 1, 6, ''],
  [readNameTree, '/foo &', 6, 1, 7, ''],
  [readNameTree, '~!', 1, 1, 2, '!'],
  [readNameTree, '$/p', 1, 1, 2, '/'],
  [readNameTree, '( )', 2, 1, 3, ')'],
  [readNameTree, '()', 1, 1, 2, ')'],
  [readNameTree, '(/a', 3, 1, 4, ''],
  [readNameTree, '/a | (/b | /c', 13, 1, 14, ''],
  [readNameTree, '/a)', 2, 1, 3, ')'],
  // Numbers: a second `.` is the error; a lone `.` fails on the character after it.
  [readNameTree, '1.2.3*/a', 3, 1, 4, '.'],
  [readNameTree, '/foo & 0.1.2 * /bar', 10, 1, 11, '.'],
  [readNameTree, '.*/a', 1, 1, 2, '*'],
  [readNameTree, '/foo & . * /bar', 8, 1, 9, ' '],
  [readNameTree, '1 /a', 2, 1, 3, '/'],
  [readNameTree, '1e5*/a', 1, 1, 2, 'e'],
  [readNameTree, '-1*/a', 0, 1, 1, '-'],
  [readNameTree, '+1*/a', 0, 1, 1, '+'],
  [readNameTree, '1 * 2 * /a', 4, 1, 5, '2'],
  [readNameTree, '2 * * /b', 4, 1, 5, '*'],
  // Dtabs: `;` separates, newlines do not; one trailing `;` only.
  [readDtab, ';', 0, 1, 1, ';'],
  [readDtab, ';/a=>/b', 0, 1, 1, ';'],
  [readDtab, '/a=>/b;;', 7, 1, 8, ';'],
  [readDtab, '/a=>/b; ;', 8, 1, 9, ';'],
  [readDtab, '/a => /b => /c', 9, 1, 10, '='],
  [readDtab, '/a=>/b /c=>/d', 7, 1, 8, '/'],
  [readDtab, '/x=>/y\n/z=>/w', 7, 2, 1, '/'],
  [readDtab, '/a=>/b # c\n/c=>/d', 11, 2, 1, '/'],
  [readDtab, '/a=>/b;\n  /c=>/d e', 17, 2, 10, 'e'],
  [readDtab, '/a=>/b;\n/c=>/d;\n/e=>/f g', 23, 3, 8, 'g'],
]

test('errors point at the offending character', (t) => {
  for (const [read, input, offset, line, column, found] of ERRORS) {
    const label = `${read.name}(${JSON.stringify(input)})`
    const err = parseError(read, input)
    t.is(err.code, 'ERR_DTAB_PARSE', label)
    t.deepEqual(
      { offset: err.offset, line: err.line, column: err.column },
      { offset, line, column },
      label,
    )
    t.true(err.message.includes(`[${found}]`), `${label}: ${err.message}`)
    t.is(err.input, input, label)
  }
})

test('the message shows the input around the error, as Finagle does', (t) => {
  // From Finagle's NameTreeParsersTest "error messages".
  t.true(parseError(readPath, '/foo^bar').message.includes("'/foo[^]bar'"))
  t.true(parseError(readPath, '/foo/bar/').message.includes("'/foo/bar/[]'"))
})

// §1.4: Java's Character.isWhitespace, not JavaScript's \s.
const NOT_WHITESPACE = ['\u00a0', '\ufeff', '\u200b', '\u0085', '\u2007', '\u202f', '\u180e']
const WHITESPACE = JAVA_WHITESPACE

const hex = (c: string): string => c.charCodeAt(0).toString(16).padStart(4, '0')

test('U+00A0, U+FEFF, U+200B, U+0085 (and U+2007, U+202F) are not whitespace', (t) => {
  for (const c of NOT_WHITESPACE) {
    const label = `U+${hex(c)}`
    t.is(parseError(readPath, `${c}/a`).offset, 0, label)
    t.is(parseError(readPath, `/a${c}`).offset, 2, label)
    t.is(parseError(readNameTree, `/a ${c}| /b`).offset, 3, label)
    t.is(parseError(readDtab, `/a=>/b${c};/c=>/d`).offset, 6, label)
    t.is(parseError(readDtab, c).offset, 0, label)
  }
})

test('U+2003, U+3000, U+2028, U+1680, U+001C and the other Java whitespace are skipped', (t) => {
  for (const c of WHITESPACE) {
    const label = `U+${hex(c)}`
    t.deepEqual(readPath(`${c}/a/b${c}`), ['a', 'b'], label)
    t.deepEqual(
      readNameTree(`${c}/a${c}|${c}2${c}*${c}/b${c}&${c}(${c}~${c})${c}`),
      alt(leaf('a'), union([2, leaf('b')], [1, NEG])),
      label,
    )
    const dtab: Dtab = [{ prefix: ['a', WILDCARD], dst: leaf('b') }]
    t.deepEqual(readDtab(`${c}/a/*${c}=>${c}/b${c};${c}`), dtab, label)
    t.deepEqual(readDtab(c), [], label)
    // ...but never after a `/` inside a path.
    t.is(parseError(readPath, `/${c}a`).offset, 2, label)
  }
})

test('comments run from `#` to the end of the line where whitespace may be', (t) => {
  t.deepEqual(readDtab('/a=>/b # x; /c=>/d'), [{ prefix: ['a'], dst: leaf('b') }])
  t.deepEqual(readDtab('/a=>/b # x\n;/c=>/d'), [
    { prefix: ['a'], dst: leaf('b') },
    { prefix: ['c'], dst: leaf('d') },
  ])
  t.deepEqual(readDtab('/a=>/b;# c\n/c=>/d'), [
    { prefix: ['a'], dst: leaf('b') },
    { prefix: ['c'], dst: leaf('d') },
  ])
  t.deepEqual(readDtab('/a=>~# c; /x=>/y'), [{ prefix: ['a'], dst: NEG }])
  t.deepEqual(readDtab('/a #c\n=>#d\n/b'), [{ prefix: ['a'], dst: leaf('b') }])
  // Only `\n` ends a comment.
  t.deepEqual(readDtab('/a=>/b # x\u2028;/c=>/d'), [{ prefix: ['a'], dst: leaf('b') }])
  t.deepEqual(readDtab('/a=>/b # x\r;/c=>/d'), [{ prefix: ['a'], dst: leaf('b') }])
  t.deepEqual(readDtab(''), [])
  t.deepEqual(readDtab('# only a comment'), [])
  t.deepEqual(readDtab('# a\n  # b\n'), [])
  t.deepEqual(readNameTree('/a #c\n| /b'), alt(leaf('a'), leaf('b')))
  t.deepEqual(readNameTree('/a|#x\n/b'), alt(leaf('a'), leaf('b')))
  t.deepEqual(readNameTree('(/a)#x'), leaf('a'))
  t.deepEqual(readNameTree('$#x'), EMPTY)
  t.deepEqual(readNameTree('!# x\n'), FAIL)
  t.deepEqual(readPath('/ # comment'), [])
})

test('`#` inside or right after a label is part of the label', (t) => {
  t.deepEqual(readDtab('/a=>/b#c'), [{ prefix: ['a'], dst: leaf('b#c') }])
  t.deepEqual(readPath('/foo#bar'), ['foo#bar'])
  t.deepEqual(readPath('/#'), ['#'])
  t.deepEqual(readPath('/#/io.l5d.fs'), ['#', 'io.l5d.fs'])
  t.deepEqual(readPrefix('/#/*'), ['#', WILDCARD])
})

test('escapes: `\\x` and two hex digits of either case give one byte', (t) => {
  t.deepEqual(readPath('/\\x66\\x6f\\x6F'), ['foo'])
  t.deepEqual(readPath('/foo\\x20bar'), ['foo bar'])
  t.deepEqual(readPath('/x\\x2fy'), ['x/y'])
  t.deepEqual(readPath('/\\x24/fail'), ['$', 'fail'])
  t.deepEqual(readPath('/\\xAB\\xcd'), ['\u00ab\u00cd'])
  t.deepEqual(readPath('/\\x00\\xff'), ['\u0000\u00ff'])
  t.deepEqual(readPath('/%2F'), ['%2F'])
  t.deepEqual(readPrefix('/\\x2a'), ['*'])
  t.deepEqual(readPrefix('/*'), [WILDCARD])
  t.deepEqual(readPrefix('/a/*/\\x2A'), ['a', WILDCARD, '*'])
  t.deepEqual(readNameTree('/\\x7c|/\\x26'), alt(leaf('|'), leaf('&')))
})

test('paths: root, surrounding whitespace, several labels', (t) => {
  t.deepEqual(readPath('/'), [])
  t.deepEqual(readPath('/ '), [])
  t.deepEqual(readPath('  /foo/bar  '), ['foo', 'bar'])
  t.deepEqual(readPath('/$/inet/127.0.0.1/8080'), ['$', 'inet', '127.0.0.1', '8080'])
  t.deepEqual(readPrefix('/'), [])
  t.deepEqual(readPrefix('/foo/*/bar'), ['foo', WILDCARD, 'bar'])
})

test('trees: precedence, parentheses, weights (§3.2)', (t) => {
  t.deepEqual(readNameTree('! | ~ | $'), alt(FAIL, NEG, EMPTY))
  t.deepEqual(
    readNameTree('/a & /b | /c & /d'),
    alt(union([1, leaf('a')], [1, leaf('b')]), union([1, leaf('c')], [1, leaf('d')])),
  )
  t.deepEqual(readNameTree('(/a | /b) | /c'), alt(alt(leaf('a'), leaf('b')), leaf('c')))
  t.deepEqual(readNameTree('(/a)'), leaf('a'))
  t.deepEqual(readNameTree('0.5 * /a'), leaf('a'))
  t.deepEqual(readNameTree('4 * (5 * /p) & /q'), union([4, leaf('p')], [1, leaf('q')]))
  t.deepEqual(
    readNameTree('4 * (5 * /p & /r) & /q'),
    union([4, union([5, leaf('p')], [1, leaf('r')])], [1, leaf('q')]),
  )
  t.deepEqual(
    readNameTree('1 * /foo & 2 * /bar | .5 * /bar & .5 * /baz'),
    alt(union([1, leaf('foo')], [2, leaf('bar')]), union([0.5, leaf('bar')], [0.5, leaf('baz')])),
  )
  const weights: [string, number][] = [
    ['1.', 1],
    ['.5', 0.5],
    ['007', 7],
    ['1.00', 1],
    ['0.99999999999999999999', 1],
    ['10000000000000000000000', 1e22],
    ['0', 0],
  ]
  for (const [text, weight] of weights) {
    t.deepEqual(readNameTree(`${text}*/a & /b`), union([weight, leaf('a')], [1, leaf('b')]), text)
  }
})

test('a digit that is not ASCII is no weight', (t) => {
  // Java's isDigit accepts U+0663, but parseDouble then rejects it (§3.2): an error either way.
  t.is(parseError(readNameTree, '\u0663*/a & /b').code, 'ERR_DTAB_PARSE')
})

test('dtabs: empty, one trailing `;`, whitespace around `;` (§4.1)', (t) => {
  const fail: Dtab = [{ prefix: [], dst: FAIL }]
  t.deepEqual(readDtab(''), [])
  t.deepEqual(readDtab('  \n '), [])
  t.deepEqual(readDtab('  /=>!  '), fail)
  t.deepEqual(readDtab('/=>!;'), fail)
  t.deepEqual(readDtab('/ => ! \n ; \n'), fail)
  t.deepEqual(readDtab('/=>!;/foo=>/bar'), [...fail, { prefix: ['foo'], dst: leaf('bar') }])
  t.deepEqual(readDentry('/=>!'), fail[0])
  t.deepEqual(readDentry('/ => !'), fail[0])
  t.deepEqual(readDentry('/foo/*/bar => !'), { prefix: ['foo', WILDCARD, 'bar'], dst: FAIL })
})
