// The 502's link to the admin's playground (issue 18), attacked in the routing core: only a
// naming failure carries it, never with clearContext, never in a gRPC answer or l5d-err; the
// name and override it carries are the request's, encoded (a hostile override stays in the
// query, it cannot add parameters or leave the admin).
import test from 'ava'
import { coreRouter, request } from '../../testing/router/core.js'
import { AdminLink, adminBase } from './admin-link.js'

const DTAB = '/svc => /#/io.l5d.fs'
const okReply = () => ({ status: 200, body: 'ok' })

function linked() {
  const adminLink = new AdminLink()
  adminLink.set(adminBase('0.0.0.0', 9990, false))
  return coreRouter(DTAB, okReply, { adminLink })
}

/** The link at the end of a 502 body, parsed; undefined when there is none. */
function linkOf(body: string): URL | undefined {
  const m = /\nhow (\S+) delegates: (\S+)\n$/.exec(body)
  return m?.[2] === undefined ? undefined : new URL(m[2])
}

test('a name that does not route: the link carries the router, the name and the override', async (t) => {
  const r = linked()
  const override = '/svc/a => /$/nothing | /#/x ; /svc/b => 0.5 * /#/io.l5d.fs/users'
  const answer = await r.call(request(['Host', 'nobody', 'l5d-dtab', override]))
  t.is(answer.status, 502)
  const link = linkOf(answer.body)
  t.truthy(link, answer.body)
  t.is(link?.origin, 'http://127.0.0.1:9990', 'an unspecified admin address: loopback')
  t.is(link?.pathname, '/delegator')
  t.is(link?.hash, '')
  t.deepEqual([...(link?.searchParams.keys() ?? [])], ['router', 'path', 'dtab'])
  t.is(link?.searchParams.get('router'), 'test')
  t.is(link?.searchParams.get('path'), '/svc/nobody')
  t.is(link?.searchParams.get('dtab'), '/svc/a=>/$/nothing | /#/x;/svc/b=>/#/io.l5d.fs/users')
  t.false(String(answer.header('l5d-err')).includes('delegator'), 'l5d-err has no link')
})

test('no link: with clearContext, for a failure that is not naming, for gRPC, without an admin', async (t) => {
  const r = linked()
  const edge = { ...r.server, clearContext: true }
  const cleared = await r.call(request(['Host', 'nobody']), edge)
  t.is(cleared.status, 502)
  t.is(cleared.body, '')
  const refused = coreRouter(DTAB, () => ({ error: new Error('connect ECONNREFUSED') }), {
    adminLink: (() => {
      const l = new AdminLink()
      l.set('http://127.0.0.1:9990')
      return l
    })(),
  })
  const upstream = await refused.call()
  t.true(upstream.status >= 500, String(upstream.status))
  t.false(upstream.body.includes('delegator'), upstream.body)
  const grpc = await r.call(
    request(['Host', 'nobody', 'content-type', 'application/grpc', 'te', 'trailers']),
  )
  const said = [...grpc.headers, ...(grpc.trailers ?? []), grpc.body].join('\n')
  t.false(said.includes('delegator'), said)
  const noAdmin = coreRouter(DTAB, okReply, { adminLink: new AdminLink() })
  const plain = await noAdmin.call(request(['Host', 'nobody']))
  t.is(plain.status, 502)
  t.false(plain.body.includes('delegator'), plain.body)
})

test('adminBase: IPv6 bracketed, https with TLS, unspecified addresses become loopback', (t) => {
  t.is(adminBase('::', 9990, false), 'http://127.0.0.1:9990')
  t.is(adminBase('::1', 9990, true), 'https://[::1]:9990')
  t.is(adminBase('10.0.0.5', 9990, false), 'http://10.0.0.5:9990')
})

test('a name bound to no endpoints and one with no route both link; l5d-err keeps the message only', async (t) => {
  const adminLink = new AdminLink()
  adminLink.set(adminBase('127.0.0.1', 9990, false))
  const r = coreRouter('/svc/none => ~; /svc/empty => /$/nil; /svc => /#/io.l5d.fs', okReply, {
    adminLink,
  })
  for (const name of ['none', 'empty']) {
    const answer = await r.call(request(['Host', name]))
    t.is(answer.status, 502, name)
    t.is(linkOf(answer.body)?.searchParams.get('path'), `/svc/${name}`, answer.body)
  }
})
