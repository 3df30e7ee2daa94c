import test from 'ava'
import type { IncomingHttpHeaders } from 'node:http'
import { build, head, show, thrown } from '../../testing/router/identifiers.js'

test('io.l5d.header.token config', (t) => {
  const cases: [unknown, string][] = [
    [{}, '(no error)'],
    [{ kind: 'io.l5d.header.token' }, '(no error)'],
    [{ kind: 'io.l5d.header.token', header: 'X-Service' }, '(no error)'],
    [{ header: 1 }, 'identifier.header: expected a string, got number 1'],
    [{ header: '' }, 'identifier.header: not a header name: ""'],
    [{ header: 'x service' }, 'identifier.header: not a header name: "x service"'],
    [{ header: ':authority' }, 'identifier.header: not a header name: ":authority"'],
    [{ headers: 'Host' }, 'identifier: unknown key(s): headers'],
    [{ kind: 'io.l5d.header.token', segments: 1 }, 'identifier: unknown key(s): segments'],
  ]
  for (const [raw, expected] of cases)
    t.is(
      thrown(() => build(raw)),
      expected,
      JSON.stringify(raw),
    )
})

test('io.l5d.header.token names: the raw value as one element', (t) => {
  const byHost = build({ kind: 'io.l5d.header.token' })
  const cases: [IncomingHttpHeaders, string][] = [
    [{ host: 'foo' }, '/svc/foo'],
    [{ host: 'Foo.COM:8080' }, '/svc/Foo.COM:8080'],
    [{ host: 'a/b' }, '/svc/\\x61\\x2f\\x62'],
    [{ host: 'caf\u00e9' }, '/svc/\\x63\\x61\\x66\\xc3\\xa9'],
    [{}, 'unidentified: Host header is absent'],
    [{ host: '' }, 'unidentified: Host header is absent'],
    [{ 'x-service': 'foo' }, 'unidentified: Host header is absent'],
  ]
  for (const [headers, expected] of cases) {
    t.is(show(byHost(head('/a/b', headers))), expected, JSON.stringify(headers))
  }
})

test('io.l5d.header.token reads the configured header, case-insensitively', (t) => {
  const byService = build({ header: 'X-Service' })
  t.is(show(byService(head('/', { 'x-service': 'users' }))), '/svc/users')
  t.is(show(byService(head('/', { host: 'users' }))), 'unidentified: X-Service header is absent')
  t.is(show(byService(head('/', { 'x-service': ['first', 'second'] }))), '/svc/first')
  t.is(show(byService(head('/', { 'x-service': [] }))), 'unidentified: X-Service header is absent')
})

test('io.l5d.header.token puts the prefix in front, whatever its length', (t) => {
  const req = head('/', { host: 'foo' })
  t.is(show(build({}, [])(req)), '/foo')
  t.is(show(build({}, ['http', '1.1'])(req)), '/http/1.1/foo')
})
