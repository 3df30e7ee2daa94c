import test from 'ava'
import { readPath } from '../../dtabs/index.js'
import { readPathMatcher, substituteVars, templateVars } from './path-matcher.js'

const extract = (pattern: string, path: string): Record<string, string> | undefined => {
  const vars = readPathMatcher(pattern, 'p').extract(readPath(path))
  return vars === undefined ? undefined : Object.fromEntries(vars)
}

// linkerd's PathMatcherTest, plus the cases where this matcher differs on purpose.
const matches: [pattern: string, path: string, vars: Record<string, string> | undefined][] = [
  ['/foo/bar', '/foo/bar', {}],
  ['/foo/bar', '/foo/bar/bas', {}],
  ['/foo/bar', '/foo/goo', undefined],
  ['/foo/bar', '/foo', undefined],
  ['/foo/*/*', '/foo/hi/there', {}],
  ['/foo/{A}', '/foo/bar/bas', { A: 'bar' }],
  ['/foo/{A_B_C}', '/foo/bar/bas', { A_B_C: 'bar' }],
  ['/foo/bar/{A}:http', '/foo/bar/bas:http', { A: 'bas' }],
  ['/foo/{A}/*/{B}', '/foo/boo/bar/bas', { A: 'boo', B: 'bas' }],
  ['/foo/bar/{A}.com/{B}', '/foo/bar/foo.com/80', { A: 'foo', B: '80' }],
  ['/foo/bar/{A}-{B}/{C}', '/foo/bar/foo-com/80', { A: 'foo', B: 'com', C: '80' }],
  ['/foo/bar/{A}.{B}/{C}', '/foo/bar/foo.com/80', { A: 'foo', B: 'com', C: '80' }],
  [
    '/foo/bar/{A}.{B}.{C}/{D}',
    '/foo/bar/www.foo.com/80',
    { A: 'www', B: 'foo', C: 'com', D: '80' },
  ],
  ['/foo/{A}/*/{B}:http', '/foo/boo/bar/bas:http', { A: 'boo', B: 'bas' }],
  ['/foo/bar/{A}-{B}', '/foo/bar/foo-bar-baz', { A: 'foo-bar', B: 'baz' }],
  ['/foo/{A}/bar', '/foo/bar/bad', undefined],
  ['/foo/{A}:http', '/foo/bar/bas:http', undefined],
  // `/` matches everything; `*` needs an element to match.
  ['/', '/', {}],
  ['/', '/a/b', {}],
  ['/foo/*', '/foo', undefined],
  // Anchored (linkerd would match `x.com.evil` with A = x).
  ['/{A}.com', '/x.com.evil', undefined],
  ['/{A}.com', '/x.com', { A: 'x' }],
  // `$` and `#` are labels, not regex syntax.
  ['/$/inet/{host}/{port}', '/$/inet/127.1/80', { host: '127.1', port: '80' }],
  ['/#/io.l5d.fs/{svc}', '/#/io.l5d.fs/users/x', { svc: 'users' }],
  ['/a/x{n}', '/a/x', { n: '' }],
  // Literal escapes compare bytes; captured bytes come back escaped, so they read back the same.
  ['/\\x41', '/A', {}],
  ['/{v}', '/a\\x20b', { v: 'a\\x20b' }],
]

for (const [pattern, path, vars] of matches) {
  test(`${pattern} against ${path}`, (t) => {
    t.deepEqual(extract(pattern, path), vars)
  })
}

test('vars lists every capture in order', (t) => {
  t.deepEqual(readPathMatcher('/{a}/*/{b}-{c}', 'p').vars, ['a', 'b', 'c'])
})

const bad: [pattern: string, message: string][] = [
  ['foo', 'x.prefix: invalid path pattern "foo": it must start with "/"'],
  ['', 'x.prefix: invalid path pattern "": it must start with "/"'],
  ['/a//b', 'x.prefix: invalid path pattern "/a//b": empty segment'],
  ['/a/', 'x.prefix: invalid path pattern "/a/": empty segment'],
  ['/a*', 'x.prefix: invalid path pattern "/a*": "*" must be a whole segment'],
  ['/{}', 'x.prefix: invalid path pattern "/{}": bad capture in segment "{}" (write {name})'],
  [
    '/{a b}',
    'x.prefix: invalid path pattern "/{a b}": bad capture in segment "{a b}" (write {name})',
  ],
  ['/a b', 'x.prefix: invalid path pattern "/a b": unexpected character " " in segment "a b"'],
  [
    '/a\\x4',
    'x.prefix: invalid path pattern "/a\\\\x4": unexpected character "\\\\" in segment "a\\x4"',
  ],
]

for (const [pattern, message] of bad) {
  test(`bad pattern ${JSON.stringify(pattern)}`, (t) => {
    t.throws(() => readPathMatcher(pattern, 'x.prefix'), { message, code: 'ERR_CONFIG' })
  })
}

test('substituteVars fills known variables and leaves the others', (t) => {
  const vars = new Map([
    ['A', 'boo'],
    ['B', 'bas'],
  ])
  t.is(substituteVars('/{A}/and/{B}', vars), '/boo/and/bas')
  t.is(substituteVars('/{A}/{C}', vars), '/boo/{C}')
  t.deepEqual(templateVars('/{A}/{B}/{A}'), ['A', 'B'])
})
