import test from 'ava'
import type { RequestHead } from '../model.js'
import { build, head, show, thrown } from '../../testing/router/identifiers.js'

test('io.l5d.methodAndHost config', (t) => {
  const cases: [unknown, string][] = [
    [{ kind: 'io.l5d.methodAndHost' }, '(no error)'],
    [{ kind: 'io.l5d.methodAndHost', httpUriInDst: true }, '(no error)'],
    [
      { kind: 'io.l5d.methodAndHost', httpUriInDst: 'yes' },
      'identifier.httpUriInDst: expected true or false, got string "yes"',
    ],
    [
      { kind: 'io.l5d.methodAndHost', httpURIInDst: true },
      'identifier: unknown key(s): httpURIInDst',
    ],
  ]
  for (const [raw, expected] of cases)
    t.is(
      thrown(() => build(raw)),
      expected,
      JSON.stringify(raw),
    )
})

test('io.l5d.methodAndHost names: version, method and lower-cased host', (t) => {
  const byHost = build({ kind: 'io.l5d.methodAndHost' })
  const cases: [RequestHead, string][] = [
    [head('/some/path?other=stuff', { host: 'DoMaiN' }), '/svc/1.1/GET/domain'],
    [head('/', { host: 'Foo.com:8080' }, 'POST'), '/svc/1.1/POST/foo.com:8080'],
    [
      head('/', { host: 'B\u00dcCHER.de' }),
      '/svc/1.1/GET/\\x62\\xc3\\xbc\\x63\\x68\\x65\\x72\\x2e\\x64\\x65',
    ],
    [head('/some/path'), 'unidentified: HTTP/1.1 request missing hostname'],
    [head('/', { host: '' }), 'unidentified: HTTP/1.1 request missing hostname'],
    [head('/drum/bass', {}, 'POST', '1.0'), '/svc/1.0/POST'],
    [head('/', { host: 'ignored' }, 'GET', '1.0'), '/svc/1.0/GET'],
    [head('/', { host: 'a' }, 'GET', '2.0'), 'unidentified: Unknown HTTP version HTTP/2.0'],
    [head('/', { host: 'a' }, 'GET', '0.9'), 'unidentified: Unknown HTTP version HTTP/0.9'],
  ]
  for (const [req, expected] of cases) t.is(show(byHost(req)), expected, JSON.stringify(req))
})

test('io.l5d.methodAndHost with httpUriInDst appends the path, read as a dtab path', (t) => {
  const byUri = build({ kind: 'io.l5d.methodAndHost', httpUriInDst: true })
  const cases: [RequestHead, string][] = [
    [head('/some/path?other=stuff', { host: 'domain' }), '/svc/1.1/GET/domain/some/path'],
    [head('/drum/bass', {}, 'POST', '1.0'), '/svc/1.0/POST/drum/bass'],
    [head('/', { host: 'domain' }), '/svc/1.1/GET/domain'],
    [head('/?q', { host: 'domain' }), '/svc/1.1/GET/domain'],
    [head('/a%20b', { host: 'd' }), '/svc/1.1/GET/d/a%20b'],
    [
      head('/a/', { host: 'd' }),
      "malformed: label expected but end of input found at line 1, column 4: '/a/[]'",
    ],
    [
      head('/a//b', { host: 'd' }),
      "malformed: label expected but '/' found at line 1, column 4: '/a/[/]b'",
    ],
    [
      head('/a~b', { host: 'd' }),
      "malformed: end of input expected but '~' found at line 1, column 3: '/a[~]b'",
    ],
    [
      head('*', { host: 'd' }, 'OPTIONS'),
      "malformed: '/' expected but '*' found at line 1, column 1: '[*]'",
    ],
    [head('/a'), 'unidentified: HTTP/1.1 request missing hostname'],
  ]
  for (const [req, expected] of cases) t.is(show(byUri(req)), expected, JSON.stringify(req))
})
