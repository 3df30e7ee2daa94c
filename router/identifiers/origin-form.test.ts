import test from 'ava'
import type { IncomingHttpHeaders } from 'node:http'
import { originForm } from './origin-form.js'
import { build, head, show } from '../../testing/router/identifiers.js'

test('origin-form, asterisk-form and authority-form heads are returned as they are', (t) => {
  for (const url of [
    '/a?b=http://c/d',
    '/',
    '*',
    'acme.co:443',
    'http:/x',
    'ht tp://x/',
    '1http://x/',
  ]) {
    const req = head(url, { host: 'h' })
    t.is(originForm(req), req, url)
  }
})

test('absolute-form: the authority becomes Host, the URL keeps path, query and fragment', (t) => {
  const cases: [string, string, string | undefined][] = [
    ['http://acme.co:8080/foo', '/foo', 'acme.co:8080'],
    ['http://acme.co:8080/foo?text=hello%20world', '/foo?text=hello%20world', 'acme.co:8080'],
    ['http://acme.co:8080/foo?x=R%26D', '/foo?x=R%26D', 'acme.co:8080'],
    ['HTTPS://Acme.CO/x#frag', '/x#frag', 'Acme.CO'],
    ['http://acme.co', '/', 'acme.co'],
    ['http://acme.co?x=1', '/?x=1', 'acme.co'],
    ['http://[::1]:8080/x', '/x', '[::1]:8080'],
    ['http://user:pw@acme.co/x', '/x', 'user:pw@acme.co'],
    ['git+ssh://acme.co/x', '/x', 'acme.co'],
    ['http:///x', '/x', undefined],
  ]
  for (const [url, path, host] of cases) {
    const headers: IncomingHttpHeaders = { host: 'example.com:9000', pragma: '42' }
    const req = head(url, headers, 'POST', '1.0')
    const rewritten = originForm(req)
    t.deepEqual(
      rewritten,
      {
        method: 'POST',
        url: path,
        httpVersion: '1.0',
        headers: { pragma: '42', ...(host === undefined ? {} : { host }) },
      },
      url,
    )
    t.deepEqual(
      req,
      head(url, { host: 'example.com:9000', pragma: '42' }, 'POST', '1.0'),
      'unchanged',
    )
  }
})

test('identifiers see the rewritten head', (t) => {
  const req = originForm(head('http://acme.co:8080/users/1', { host: 'proxy' }))
  t.is(show(build({})(req)), '/svc/acme.co:8080')
  t.is(show(build({ kind: 'io.l5d.path', consume: true })(req)), '/svc/users -> /1')
  t.is(
    show(build({ kind: 'io.l5d.methodAndHost', httpUriInDst: true })(req)),
    '/svc/1.1/GET/acme.co:8080/users/1',
  )
})
