import test from 'ava'
import { build, head, show, thrown } from '../../testing/router/identifiers.js'

test('io.l5d.path config', (t) => {
  const cases: [unknown, string][] = [
    [{ kind: 'io.l5d.path' }, '(no error)'],
    [{ kind: 'io.l5d.path', segments: 3, consume: true }, '(no error)'],
    [
      { kind: 'io.l5d.path', segments: 0 },
      'identifier.segments: expected an integer in [1, Infinity], got number 0',
    ],
    [
      { kind: 'io.l5d.path', segments: 1.5 },
      'identifier.segments: expected an integer in [1, Infinity], got number 1.5',
    ],
    [
      { kind: 'io.l5d.path', segments: '2' },
      'identifier.segments: expected an integer in [1, Infinity], got string "2"',
    ],
    [
      { kind: 'io.l5d.path', consume: 'yes' },
      'identifier.consume: expected true or false, got string "yes"',
    ],
    [{ kind: 'io.l5d.path', segmnets: 2 }, 'identifier: unknown key(s): segmnets'],
  ]
  for (const [raw, expected] of cases)
    t.is(
      thrown(() => build(raw)),
      expected,
      JSON.stringify(raw),
    )
})

test('io.l5d.path names: the first segments, split as Java String.split does', (t) => {
  const cases: [number, string, string][] = [
    [1, '/users/42?x=1', '/svc/users'],
    [2, '/mysvc/subsvc', '/svc/mysvc/subsvc'],
    [2, '/mysvc/subsvc/some/path?other=stuff', '/svc/mysvc/subsvc'],
    [2, '/mysvc/subsvc/!', '/svc/mysvc/subsvc'],
    [1, '/a~b', '/svc/\\x61\\x7e\\x62'],
    [1, '/%41b/c', '/svc/%41b'],
    [1, '/a?b/c', '/svc/a'],
    [1, '/a#f', '/svc/a#f'],
    [1, 'abc/def', '/svc/def'],
    [1, '/a//b', '/svc/a'],
    [2, '/mysvc?other=stuff', 'unidentified: not enough segments in path'],
    [1, '/', 'unidentified: not enough segments in path'],
    [1, '///', 'unidentified: not enough segments in path'],
    [1, '*', 'unidentified: not enough segments in path'],
    [1, '?a/b', 'unidentified: not enough segments in path'],
    [3, '/a//', 'unidentified: not enough segments in path'],
    [4, '/a//b', 'unidentified: not enough segments in path'],
    [1, '//a', 'malformed: empty segment in path'],
    [2, '/a//b', 'malformed: empty segment in path'],
    [3, '/a//b', 'malformed: empty segment in path'],
  ]
  for (const [segments, url, expected] of cases) {
    const byPath = build({ kind: 'io.l5d.path', segments })
    t.is(show(byPath(head(url))), expected, `${segments} ${url}`)
  }
})

test('io.l5d.path with consume: the rest of the path, its trailing slash and the query', (t) => {
  const cases: [number, string, string][] = [
    [2, '/mysvc/subsvc/some/path?other=stuff', '/svc/mysvc/subsvc -> /some/path?other=stuff'],
    [2, '/mysvc/subsvc', '/svc/mysvc/subsvc -> /'],
    [2, '/mysvc/subsvc/', '/svc/mysvc/subsvc -> /'],
    [2, '/mysvc/subsvc/path1', '/svc/mysvc/subsvc -> /path1'],
    [2, '/mysvc/subsvc/path1/', '/svc/mysvc/subsvc -> /path1/'],
    [2, '/mysvc/subsvc/path1/path2/', '/svc/mysvc/subsvc -> /path1/path2/'],
    [2, '/mysvc/subsvc/path1//', '/svc/mysvc/subsvc -> /path1/'],
    [2, '/mysvc/subsvc/path1/?foo=bar', '/svc/mysvc/subsvc -> /path1/?foo=bar'],
    [2, '/mysvc/subsvc/path1?foo=bar/', '/svc/mysvc/subsvc -> /path1?foo=bar/'],
    [1, '/mysvc?other=stuff', '/svc/mysvc -> /?other=stuff'],
    [1, '/mysvc/?other=stuff', '/svc/mysvc -> /?other=stuff'],
    [1, '/mysvc?', '/svc/mysvc -> /?'],
    [1, '/a/b//c', '/svc/a -> /b//c'],
    [1, '/a//c', '/svc/a -> //c'],
    [1, '/a/%2F', '/svc/a -> /%2F'],
    [1, '//a', 'malformed: empty segment in path'],
    [2, '/a', 'unidentified: not enough segments in path'],
  ]
  for (const [segments, url, expected] of cases) {
    const byPath = build({ kind: 'io.l5d.path', segments, consume: true })
    t.is(show(byPath(head(url))), expected, `${segments} ${url}`)
  }
})
