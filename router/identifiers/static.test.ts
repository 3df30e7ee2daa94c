import test from 'ava'
import { build, head, show, thrown } from '../../testing/router/identifiers.js'

test('io.l5d.static config: path is required and must be a path', (t) => {
  const cases: [unknown, string][] = [
    [{ kind: 'io.l5d.static', path: '/foo/bar' }, '(no error)'],
    [{ kind: 'io.l5d.static', path: '/' }, '(no error)'],
    [{ kind: 'io.l5d.static' }, 'identifier.path: required'],
    [{ kind: 'io.l5d.static', path: null }, 'identifier.path: required'],
    [{ kind: 'io.l5d.static', path: 3 }, 'identifier.path: expected a string, got number 3'],
    [
      { kind: 'io.l5d.static', path: 'foo' },
      "identifier.path: '/' expected but 'f' found at line 1, column 1: '[f]oo'",
    ],
    [
      { kind: 'io.l5d.static', path: '/a b' },
      "identifier.path: end of input expected but 'b' found at line 1, column 4: '/a [b]'",
    ],
    [{ kind: 'io.l5d.static', path: '/a', header: 'x' }, 'identifier: unknown key(s): header'],
  ]
  for (const [raw, expected] of cases)
    t.is(
      thrown(() => build(raw)),
      expected,
      JSON.stringify(raw),
    )
})

test('io.l5d.static gives every request the same name, without allocating', (t) => {
  const fixed = build({ kind: 'io.l5d.static', path: '/foo/bar' })
  const first = fixed(head('/a', { host: 'x' }))
  t.is(show(first), '/svc/foo/bar')
  t.is(fixed(head('*', {}, 'OPTIONS', '1.0')), first)
  t.is(show(build({ kind: 'io.l5d.static', path: '/' })(head('/'))), '/svc')
  t.is(show(build({ kind: 'io.l5d.static', path: '/a\\x2fb' }, [])(head('/'))), '/\\x61\\x2f\\x62')
})
