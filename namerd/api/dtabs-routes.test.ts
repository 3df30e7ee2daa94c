import test from 'ava'
import { buildApi } from './server.js'
import { memoryContext } from '../../testing/namerd/memory-context.js'

const app = () => buildApi(memoryContext({ default: '/svc=>/#/io.l5d.fs;/svc/a=>/srv/a' }))

test('GET /api/1/dtabs lists namespaces sorted, with a newline', async (t) => {
  const api = buildApi(memoryContext({ zeta: '/a=>/b', alpha: '/a=>/b' }))
  for (const url of ['/api/1/dtabs', '/api/1/dtabs/']) {
    const r = await api.inject(url)
    t.is(r.statusCode, 200)
    t.regex(String(r.headers['content-type']), /^application\/json/)
    t.is(r.body, '["alpha","zeta"]\n')
  }
})

test('GET a dtab as JSON by default, as text by Accept, with the ETag', async (t) => {
  const api = app()
  const json = await api.inject('/api/1/dtabs/default')
  t.is(json.statusCode, 200)
  t.is(json.headers.etag, 'AAAAAAAAAAE=')
  t.deepEqual(JSON.parse(json.body), [
    { prefix: '/svc', dst: '/#/io.l5d.fs' },
    { prefix: '/svc/a', dst: '/srv/a' },
  ])
  t.true(json.body.endsWith('\n'))
  for (const accept of ['application/dtab', 'text/plain', 'text/html, application/dtab;q=0.9']) {
    const text = await api.inject({ url: '/api/1/dtabs/default', headers: { accept } })
    t.is(text.body, '/svc=>/#/io.l5d.fs;/svc/a=>/srv/a\n', accept)
    t.regex(String(text.headers['content-type']), /^(application\/dtab|text\/plain)/)
  }
  const head = await api.inject({ method: 'HEAD', url: '/api/1/dtabs/default' })
  t.is(head.statusCode, 200)
  t.is(head.headers.etag, 'AAAAAAAAAAE=')
  t.is((await api.inject({ method: 'HEAD', url: '/api/1/dtabs/nope' })).statusCode, 404)
  t.is((await api.inject('/api/1/dtabs/nope')).statusCode, 404)
})

test('POST creates (204), again is 409, a bad dtab is 400 with the parse message', async (t) => {
  const api = app()
  const post = (ns: string, body: string, type = 'application/dtab') =>
    api.inject({
      method: 'POST',
      url: `/api/1/dtabs/${ns}`,
      headers: { 'content-type': type },
      body,
    })
  t.is((await post('new', '/a=>/b')).statusCode, 204)
  t.is((await post('new', '/a=>/c')).statusCode, 409)
  const bad = await post('other', '/a=>/b &')
  t.is(bad.statusCode, 400)
  t.regex(bad.body, /expected but .* found at line 1, column/)
  t.is((await post('json', '[{"prefix":"/x","dst":"/y"}]', 'application/json')).statusCode, 204)
  t.is(
    (await api.inject({ url: '/api/1/dtabs/json', headers: { accept: 'application/dtab' } })).body,
    '/x=>/y\n',
  )
  const badJson = await post('j2', '[{"prefix":"/x"}]', 'application/json')
  t.is(badJson.statusCode, 400)
  t.regex(badJson.body, /dtab\[0\]\.dst/)
  const badType = await post('t', '/a=>/b', 'application/xml')
  t.is(badType.statusCode, 400)
  t.regex(badType.body, /Invalid Content-Type "application\/xml"/)
  t.is((await post('text', '/a=>/b', 'text/plain')).statusCode, 204)
})

test('PUT with If-Match: 204, 412 on a stale version, 404 when missing; without: upsert', async (t) => {
  const api = app()
  const put = (ns: string, body: string, ifMatch?: string) =>
    api.inject({
      method: 'PUT',
      url: `/api/1/dtabs/${ns}`,
      headers: { 'content-type': 'application/dtab', ...(ifMatch ? { 'if-match': ifMatch } : {}) },
      body,
    })
  t.is((await put('default', '/a=>/b', 'AAAAAAAAAAE=')).statusCode, 204)
  const stale = await put('default', '/a=>/c', 'AAAAAAAAAAE=')
  t.is(stale.statusCode, 412)
  t.regex(stale.body, /changed since version/)
  t.is((await put('default', '/a=>/c', 'not base64!')).statusCode, 412)
  t.is((await put('default', '/a=>/c', '"AAAAAAAAAAI="')).statusCode, 204, 'quoted ETag accepted')
  t.is((await put('missing', '/a=>/c', 'AAAAAAAAAAE=')).statusCode, 404)
  t.is((await put('upserted', '/a=>/d')).statusCode, 204)
  t.is(
    (await api.inject({ url: '/api/1/dtabs/upserted', headers: { accept: 'text/plain' } })).body,
    '/a=>/d\n',
  )
  t.is((await put('default', '/a=>')).statusCode, 400)
})

test('DELETE: 204, then 404', async (t) => {
  const api = app()
  t.is((await api.inject({ method: 'DELETE', url: '/api/1/dtabs/default' })).statusCode, 204)
  t.is((await api.inject({ method: 'DELETE', url: '/api/1/dtabs/default' })).statusCode, 404)
  t.is((await api.inject('/api/1/dtabs/default')).statusCode, 404)
})

test('bad namespace names are 400; unknown paths and methods 404 with an empty body', async (t) => {
  const api = app()
  for (const ns of ['a:b', '.hidden', 'a%20b', 'x'.repeat(129)]) {
    const r = await api.inject(`/api/1/dtabs/${ns}`)
    t.is(r.statusCode, 400, ns)
    t.regex(r.body, /invalid namespace/)
  }
  for (const url of ['/api/1/nope', '/api/2/dtabs', '/']) {
    const r = await api.inject(url)
    t.is(r.statusCode, 404, url)
    t.is(r.body, '')
  }
  t.is((await api.inject({ method: 'PATCH', url: '/api/1/dtabs/default' })).statusCode, 404)
})

test('a body over 1 MiB is a 413 naming the limit; a dtab just under it is stored', async (t) => {
  const api = app()
  const dentry = `/svc/${'x'.repeat(90)}=>/srv/y;`
  const under = dentry.repeat(Math.floor((1024 * 1024) / dentry.length))
  const headers = { 'content-type': 'application/dtab' }
  const ok = await api.inject({ method: 'PUT', url: '/api/1/dtabs/big', headers, payload: under })
  t.is(ok.statusCode, 204)
  const over = `${under}${dentry}`
  const r = await api.inject({ method: 'PUT', url: '/api/1/dtabs/big', headers, payload: over })
  t.is(r.statusCode, 413)
  t.regex(r.body, /^request body larger than 1048576 bytes, namerd's limit/)
})
