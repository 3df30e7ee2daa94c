import test from 'ava'
import { build, head, show, thrown } from '../../testing/router/identifiers.js'

test('io.l5d.header config', (t) => {
  const cases: [unknown, string][] = [
    [{ kind: 'io.l5d.header' }, '(no error)'],
    [{ kind: 'io.l5d.header', header: 'x-dst' }, '(no error)'],
    [
      { kind: 'io.l5d.header', header: true },
      'identifier.header: expected a string, got boolean true',
    ],
    [{ kind: 'io.l5d.header', header: 'a:b' }, 'identifier.header: not a header name: "a:b"'],
    [{ kind: 'io.l5d.header', path: '/a' }, 'identifier: unknown key(s): path'],
  ]
  for (const [raw, expected] of cases)
    t.is(
      thrown(() => build(raw)),
      expected,
      JSON.stringify(raw),
    )
})

test('io.l5d.header names: the prefix followed by the value read as a path', (t) => {
  const byName = build({ kind: 'io.l5d.header' })
  const cases: [string | undefined, string][] = [
    ['/foo/bar', '/svc/foo/bar'],
    ['/', '/svc'],
    ['/a/b/c', '/svc/a/b/c'],
    ['/a\\x2fb', '/svc/\\x61\\x2f\\x62'],
    ['/%41', '/svc/%41'],
    [undefined, 'unidentified: l5d-name header is absent'],
    ['', 'unidentified: l5d-name header is absent'],
    ['foo', "malformed: '/' expected but 'f' found at line 1, column 1: '[f]oo'"],
    ['/a//b', "malformed: label expected but '/' found at line 1, column 4: '/a/[/]b'"],
    ['/a/', "malformed: label expected but end of input found at line 1, column 4: '/a/[]'"],
  ]
  for (const [value, expected] of cases) {
    const headers = value === undefined ? {} : { 'l5d-name': value }
    t.is(show(byName(head('/x', headers))), expected, String(value))
  }
})

test('io.l5d.header reads the configured header only', (t) => {
  const byDst = build({ kind: 'io.l5d.header', header: 'X-Dst' })
  t.is(show(byDst(head('/', { 'x-dst': '/users' }))), '/svc/users')
  t.is(show(byDst(head('/', { 'l5d-name': '/users' }))), 'unidentified: X-Dst header is absent')
  t.is(show(byDst(head('/', { 'x-dst': ['/first', '/second'] }))), '/svc/first')
})
