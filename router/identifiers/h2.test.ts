/** The h2 identifier family: its kinds, `:authority` and `:path`, and what stays http-only. */
import test from 'ava'
import type { IncomingHttpHeaders } from 'node:http'
import { h2Identifiers, parseIdentifiers } from './index.js'
import { show, thrown } from '../../testing/router/identifiers.js'
import type { RequestHead } from '../model.js'

const KNOWN = 'io.l5d.header.token, io.l5d.header.path, io.l5d.header, io.l5d.static'
const AT = 'routers[0].identifier'
const build = (raw: unknown) => parseIdentifiers(raw, AT, 'h2')({ prefix: ['svc'] })

/** An h2 request head as the h2 server gives it: pseudo-headers first in the raw list. */
function h2(path: string, authority: string | undefined, more: string[] = []): RequestHead {
  const raw = [':method', 'POST', ':path', path, ':scheme', 'http']
  if (authority !== undefined) raw.push(':authority', authority)
  raw.push(...more)
  const headers: IncomingHttpHeaders = {}
  for (let i = 0; i < raw.length; i += 2) headers[raw[i] as string] = raw[i + 1]
  return { method: 'POST', url: path, httpVersion: '2.0', headers, rawHeaders: raw }
}

test('every h2 kind is listed once', (t) => {
  t.is([...h2Identifiers.keys()].join(', '), KNOWN)
})

test('h2 identifier config errors name their location; http kinds are refused', (t) => {
  const cases: [unknown, string][] = [
    [undefined, '(no error)'],
    [{ kind: 'io.l5d.header.path', segments: 2 }, '(no error)'],
    [{ kind: 'io.l5d.header.path', header: 'x-path' }, '(no error)'],
    [{ kind: 'io.l5d.header.token', header: ':authority' }, '(no error)'],
    [{ kind: 'io.l5d.header', header: 'l5d-name' }, '(no error)'],
    [{ kind: 'io.l5d.static', path: '/a' }, '(no error)'],
    [
      { kind: 'io.l5d.header.path', segments: 0 },
      `${AT}.segments: expected an integer in [1, Infinity], got number 0`,
    ],
    [{ kind: 'io.l5d.header.path', header: ':' }, `${AT}.header: not a header name: ":"`],
    [{ kind: 'io.l5d.header.path', consume: true }, `${AT}: unknown key(s): consume`],
    [
      { kind: 'io.l5d.path' },
      `${AT}.kind: kind "io.l5d.path" identifies http requests, and this router's protocol is h2 (known: ${KNOWN})`,
    ],
    [
      [{}, { kind: 'io.l5d.methodAndHost' }],
      `${AT}[1].kind: kind "io.l5d.methodAndHost" identifies http requests, and this router's protocol is h2 (known: ${KNOWN})`,
    ],
    [
      { kind: 'io.l5d.ingress' },
      `${AT}.kind: kind "io.l5d.ingress" exists in linkerd but is not supported here (known: ${KNOWN})`,
    ],
    [{ kind: 'io.l5d.nope' }, `${AT}.kind: unknown kind "io.l5d.nope" (known: ${KNOWN})`],
  ]
  for (const [raw, expected] of cases)
    t.is(
      thrown(() => build(raw)),
      expected,
      JSON.stringify(raw),
    )
})

test('the default: io.l5d.header.token on :authority, the last value, linkerd h2 wording', (t) => {
  const identify = build(undefined)
  t.is(show(identify(h2('/pkg.S/M', 'Users:8080'))), '/svc/Users:8080')
  t.is(show(identify(h2('/', undefined))), "unidentified: missing header: ':authority'")
  t.is(show(identify(h2('/', ''))), "unidentified: missing header: ':authority'")
  const byHeader = build({ kind: 'io.l5d.header.token', header: 'x-svc' })
  t.is(show(byHeader(h2('/', 'a', ['x-svc', 'first', 'x-svc', 'last']))), '/svc/last')
  t.is(show(byHeader(h2('/', 'a'))), "unidentified: missing header: 'x-svc'")
  const objectOnly = { ...h2('/', 'a'), rawHeaders: undefined }
  t.is(show(build(undefined)(objectOnly)), '/svc/a', 'from the header object too')
})

test('io.l5d.header.path: gRPC calls by service, or by method', (t) => {
  const bySvc = build({ kind: 'io.l5d.header.path', segments: 1 })
  const byMethod = build({ kind: 'io.l5d.header.path', segments: 2 })
  const whole = build({ kind: 'io.l5d.header.path' })
  const cases: [RequestHead, string, string, string][] = [
    [
      h2('/helloworld.Greeter/SayHello', 'a'),
      '/svc/helloworld.Greeter',
      '/svc/helloworld.Greeter/SayHello',
      '/svc/helloworld.Greeter/SayHello',
    ],
    [
      h2('/true/love/waits.php?thing=1', 'a'),
      '/svc/true',
      '/svc/true/love',
      '/svc/true/love/waits.php',
    ],
    [
      h2('/one/', 'a'),
      '/svc/one',
      'unidentified: Path must have at least 2 segment(s)',
      '/svc/one',
    ],
    [
      h2('/', 'a'),
      'unidentified: Path must have at least 1 segment(s)',
      'unidentified: Path must have at least 2 segment(s)',
      'unidentified: Missing destination path',
    ],
    [
      h2('/?q=1', 'a'),
      'unidentified: Path must have at least 1 segment(s)',
      'unidentified: Path must have at least 2 segment(s)',
      'unidentified: Missing destination path',
    ],
  ]
  for (const [req, svc, method, all] of cases) {
    t.is(show(bySvc(req)), svc, req.url)
    t.is(show(byMethod(req)), method, req.url)
    t.is(show(whole(req)), all, req.url)
  }
})

test('io.l5d.header.path: a value that is not a path stops a list of identifiers', (t) => {
  const identify = build([
    { kind: 'io.l5d.header.path', segments: 1 },
    { kind: 'io.l5d.static', path: '/fallback' },
  ])
  t.is(
    show(identify(h2('/a//b', 'x'))),
    "malformed: label expected but '/' found at line 1, column 4: '/a/[/]b'",
  )
  t.is(
    show(identify(h2('*', 'x'))),
    "malformed: '/' expected but '*' found at line 1, column 1: '[*]'",
  )
  t.is(show(identify(h2('/', 'x'))), '/svc/fallback', 'too short moves on to the next one')
})

test('io.l5d.header.path on another header, the last value', (t) => {
  const identify = build({ kind: 'io.l5d.header.path', header: 'X-Dst' })
  t.is(show(identify(h2('/ignored', 'a', ['x-dst', '/a', 'x-dst', '/b/c']))), '/svc/b/c')
  t.is(show(identify(h2('/ignored', 'a'))), 'unidentified: Missing destination path')
})
