/**
 * The link a naming failure's answer ends with (in-memory transport): the admin's playground
 * for the name and the request's override; only for naming failures, only with an admin, never
 * with clearContext or to a gRPC client.
 */
import test from 'ava'
import { coreRouter, request, type Reply } from '../../testing/router/core.js'
import { AdminLink, adminBase } from './admin-link.js'

const ok: Reply = { status: 200, body: 'ok' }
const DTAB = '/svc/none => ~; /svc/empty => /$/nil; /svc => /#/io.l5d.fs'

function withAdmin(): AdminLink {
  const link = new AdminLink()
  link.set(adminBase('0.0.0.0', 9990, false))
  return link
}

const linkOf = (body: string) => /delegates: (\S+)\n$/.exec(body)?.[1]

test('no route, no endpoints: the body ends with the playground, name and override filled in', async (t) => {
  const r = coreRouter(DTAB, () => ok, { adminLink: withAdmin() })
  const plain = await r.call(request(['Host', 'none']))
  t.is(plain.status, 502)
  t.is(linkOf(plain.body), 'http://127.0.0.1:9990/delegator?router=test&path=%2Fsvc%2Fnone')
  t.notRegex(plain.header('l5d-err') ?? '', /delegator/, 'l5d-err keeps the message only')
  const override = await r.call(request(['Host', 'empty', 'l5d-dtab', '/svc/x => /y']))
  const url = new URL(linkOf(override.body) ?? 'http://x')
  t.is(url.searchParams.get('path'), '/svc/empty')
  t.is(url.searchParams.get('dtab'), '/svc/x=>/y')
})

test('no link: without an admin, for other failures, with clearContext, for gRPC', async (t) => {
  const none = coreRouter(DTAB, () => ok, { adminLink: new AdminLink() })
  t.is(linkOf((await none.call(request(['Host', 'none']))).body), undefined)
  const r = coreRouter(DTAB, () => ok, { adminLink: withAdmin() })
  const unidentified = await r.call(request([]))
  t.is(unidentified.status, 400)
  t.notRegex(unidentified.body, /delegator/)
  const edge = await r.call(request(['Host', 'none']), { ...r.server, clearContext: true })
  t.is(edge.body, '')
  const grpc = await r.call(request(['Host', 'none', 'content-type', 'application/grpc'], '/a.B/C'))
  t.is(grpc.body, '')
  t.notRegex(decodeURIComponent(grpc.header('grpc-message') ?? ''), /delegator/)
})

test('the base of an admin on an unspecified address is loopback; IPv6 in brackets; https with TLS', (t) => {
  t.is(adminBase('::', 9990, false), 'http://127.0.0.1:9990')
  t.is(adminBase('::1', 9990, true), 'https://[::1]:9990')
  t.is(adminBase('10.0.0.5', 9990, false), 'http://10.0.0.5:9990')
})
