import test from 'ava'
import { firstIdentified, identifiers, parseIdentifiers } from './index.js'
import { malformed, unidentified } from './outcome.js'
import { head, show, thrown } from '../../testing/router/identifiers.js'

const KNOWN = 'io.l5d.header.token, io.l5d.header, io.l5d.methodAndHost, io.l5d.path, io.l5d.static'
const AT = 'routers[0].identifier'
const parse = (raw: unknown) => parseIdentifiers(raw, AT)

test('every kind is listed once', (t) => {
  t.is([...identifiers.keys()].join(', '), KNOWN)
})

test('the identifier key: config errors name their location', (t) => {
  const cases: [unknown, string][] = [
    [undefined, '(no error)'],
    [null, '(no error)'],
    [{}, '(no error)'],
    [{ kind: 'io.l5d.path', experimental: true }, '(no error)'],
    [[{ kind: 'io.l5d.path' }, {}], '(no error)'],
    [[], `${AT}: empty identifier list`],
    ['io.l5d.path', `${AT}: expected an object, got string "io.l5d.path"`],
    [['io.l5d.path'], `${AT}[0]: expected an object, got string "io.l5d.path"`],
    [{ kind: 3 }, `${AT}.kind: expected a string, got number 3`],
    [{ kind: 'io.l5d.foo' }, `${AT}.kind: unknown kind "io.l5d.foo" (known: ${KNOWN})`],
    [
      [{ kind: 'io.l5d.path' }, { kind: 'io.l5d.ingress' }],
      `${AT}[1].kind: kind "io.l5d.ingress" exists in linkerd but is not supported here (known: ${KNOWN})`,
    ],
    [
      { kind: 'io.l5d.k8s.istio' },
      `${AT}.kind: kind "io.l5d.k8s.istio" exists in linkerd but is not supported here (known: ${KNOWN})`,
    ],
    [
      { kind: 'io.l5d.header.path' },
      `${AT}.kind: kind "io.l5d.header.path" identifies h2 requests, and this router's protocol is http (known: ${KNOWN})`,
    ],
    [
      [{}, { kind: 'io.l5d.path', segments: -1 }],
      `${AT}[1].segments: expected an integer in [1, Infinity], got number -1`,
    ],
    [{ kind: 'io.l5d.static', path: '/a', extra: 1 }, `${AT}: unknown key(s): extra`],
    [{ experimental: 'no' }, `${AT}.experimental: expected true or false, got string "no"`],
  ]
  for (const [raw, expected] of cases)
    t.is(
      thrown(() => parse(raw)),
      expected,
      JSON.stringify(raw),
    )
})

test('absent config is the Host header token', (t) => {
  for (const raw of [undefined, null, {}]) {
    const identify = parse(raw)({ prefix: ['svc'] })
    t.is(show(identify(head('/a', { host: 'Web:80' }))), '/svc/Web:80')
    t.is(show(identify(head('/a'))), 'unidentified: Host header is absent')
  }
})

test('a list is tried in order; the last failure is the answer', (t) => {
  const identify = parse([
    { kind: 'io.l5d.header', header: 'x-dst' },
    { kind: 'io.l5d.path', consume: true },
    { kind: 'io.l5d.header.token' },
  ])({ prefix: ['svc'] })
  const cases: [ReturnType<typeof head>, string][] = [
    [head('/p/q', { 'x-dst': '/a/b', host: 'h' }), '/svc/a/b'],
    [head('/p/q', { host: 'h' }), '/svc/p -> /q'],
    [head('/', { host: 'h' }), '/svc/h'],
    [head('/'), 'unidentified: Host header is absent'],
    // where linkerd throws, the list stops
    [
      head('/p', { 'x-dst': 'nope', host: 'h' }),
      "malformed: '/' expected but 'n' found at line 1, column 1: '[n]ope'",
    ],
    [head('//p', { host: 'h' }), 'malformed: empty segment in path'],
  ]
  for (const [req, expected] of cases) t.is(show(identify(req)), expected, JSON.stringify(req))
})

test('firstIdentified: one identifier is itself; an empty list identifies nothing', (t) => {
  const always = () => unidentified('no')
  t.is(firstIdentified([always]), always)
  t.is(show(firstIdentified([])(head('/'))), 'unidentified: no identifiers')
  const calls: string[] = []
  const spy = (name: string, result: ReturnType<typeof always>) => () => {
    calls.push(name)
    return result
  }
  const identify = firstIdentified([
    spy('a', unidentified('a')),
    spy('b', malformed('b')),
    spy('c', unidentified('c')),
  ])
  t.is(show(identify(head('/'))), 'malformed: b')
  t.deepEqual(calls, ['a', 'b'])
})
