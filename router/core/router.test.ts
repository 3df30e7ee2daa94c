/**
 * The routing core on its own, with an in-memory transport (testing/router/core.ts): what the
 * steps do to a call, without HTTP. The HTTP/1.1 router is tested end to end in e2e/router/.
 */
import test from 'ava'
import { servicePolicy } from './service-policy.js'
import { ClientClosedError } from './failures.js'
import { Call } from './call.js'
import { eventually } from '../../testing/eventually.js'
import { coreRouter, Collector, request } from '../../testing/router/core.js'

const DTAB = '/svc => /#/io.l5d.fs'
const okReply = () => ({ status: 200, headers: ['content-length', '2', 'x-app', 'a'], body: 'ok' })

test('a call reaches its endpoint with linkerd’s headers; the answer comes back with Via', async (t) => {
  const r = coreRouter(DTAB, okReply)
  const answer = await r.call(request(['Host', 'users', 'Connection', 'x-hop', 'X-Hop', '1']))
  t.is(answer.status, 200)
  t.is(answer.body, 'ok')
  t.is(answer.header('x-app'), 'a')
  t.is(answer.header('via'), '1.1 linkerd')
  const [sent] = r.sent
  t.is(sent?.endpoint, '127.0.0.1:9001')
  const h = sent?.request.headers ?? []
  const value = (name: string): string | undefined => h[h.indexOf(name) + 1]
  t.is(value('host'), 'users')
  t.is(value('l5d-dst-service'), '/svc/users')
  t.is(value('l5d-dst-client'), '/#/io.l5d.fs/users')
  t.regex(value('l5d-reqid') ?? '', /^[0-9a-f]{16}$/)
  t.is(value('via'), '1.1 linkerd')
  t.false(h.includes('X-Hop'), 'a header named in Connection is hop-by-hop')
  t.like(r.server.stats, { requests: 1, success: 1, pending: 0 })
  t.like(r.stats.service('/svc/users'), { requests: 1, success: 1, pending: 0 })
  t.like(r.stats.client('/#/io.l5d.fs/users'), { requests: 1, success: 1, pending: 0 })
  t.is(r.router.inFlight, 0)
})

test('one binding per name and local dtab: the cache is the router’s', async (t) => {
  const r = coreRouter(DTAB, okReply)
  await r.call()
  await r.call()
  t.is(r.stats.counter('bindcache/path/misses').value, 1)
  t.is(r.stats.counter('bindcache/client/misses').value, 1)
  const v2 = await r.call(
    request(['Host', 'users', 'l5d-dtab', '/svc/users=>/#/io.l5d.fs/users-v2']),
  )
  t.is(v2.status, 200)
  t.is(r.sent[2]?.endpoint, '127.0.0.1:9101', 'the override routes elsewhere')
  t.is(r.stats.counter('bindcache/path/misses').value, 2)
  t.deepEqual(r.router.boundNames().sort(), ['/#/io.l5d.fs/users', '/#/io.l5d.fs/users-v2'])
})

test('routing failures are answered with their status, l5d-err and counted by code', async (t) => {
  const r = coreRouter(DTAB, okReply)
  const unidentified = await r.call(request([]))
  t.is(unidentified.status, 400)
  t.regex(decodeURIComponent(unidentified.header('l5d-err') ?? ''), /Unknown\+destination/)
  const badDtab = await r.call(request(['Host', 'users', 'l5d-dtab', '/a=>']))
  t.is(badDtab.status, 400)
  t.regex(badDtab.body, /^Invalid l5d-dtab header/)
  const noRoute = await r.call(request(['Host', 'nobody']))
  t.is(noRoute.status, 502)
  t.regex(noRoute.body, /^Unable to route request!\n\nservice name: \/svc\/nobody/)
  t.is(noRoute.header('via'), '1.1 linkerd')
  // As linkerd's classifier has it, a 4xx answer is a success; a 5xx one a failure by its code.
  t.like(r.server.stats, { requests: 3, success: 2, failures: 1, pending: 0 })
  t.true(JSON.stringify(collect(r.server.stats)).includes('ERR_NO_ROUTE'))
})

test('an upstream failure before the answer is a 502 naming the endpoint; the client counts its code', async (t) => {
  const refused = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })
  const r = coreRouter(DTAB, () => ({ error: refused }))
  const answer = await r.call()
  t.is(answer.status, 502)
  t.regex(answer.body, /^Unable to establish connection to 127\.0\.0\.1:9001\./)
  const client = r.stats.client('/#/io.l5d.fs/users')
  t.like(client, { requests: 1, failures: 1, pending: 0 })
  t.true(JSON.stringify(collect(client)).includes('ECONNREFUSED'))
  t.true(JSON.stringify(collect(r.server.stats)).includes('ERR_CONNECT'))
})

test('a total timeout answers 503 and aborts the exchange at the endpoint', async (t) => {
  const r = coreRouter(DTAB, () => 'hang', {
    policyFor: () => servicePolicy({ totalTimeoutMs: 50 }),
  })
  const answer = await r.call()
  t.is(answer.status, 503)
  t.regex(answer.body, /^exceeded 50\.milliseconds while waiting for a response/)
  t.regex(r.sent[0]?.aborted?.message ?? '', /exceeded 50\.milliseconds/)
  t.like(r.stats.client('/#/io.l5d.fs/users'), { pending: 0, failures: 1 })
})

test('an attempt timeout names the client', async (t) => {
  const r = coreRouter(DTAB, () => 'hang', { attemptTimeoutFor: () => 30 })
  const answer = await r.call()
  t.is(answer.status, 503)
  t.regex(answer.body, /, from \/#\/io\.l5d\.fs\/users\n/)
})

test('a client gone mid-call aborts the exchange; nothing is answered; counted as closed', async (t) => {
  const r = coreRouter(DTAB, () => 'hang')
  const collector = new Collector()
  r.router.route(new Call(request(), r.server, '1.1'), collector)
  await eventually('the call sent', () => r.sent.length === 1)
  collector.abort?.(new ClientClosedError())
  await collector.done
  t.true(collector.error instanceof ClientClosedError)
  t.is(collector.status, 0, 'no answer is written for a client that left')
  t.true(r.sent[0]?.aborted instanceof ClientClosedError)
  t.like(r.server.stats, { requests: 1, failures: 1, pending: 0 })
  t.true(JSON.stringify(collect(r.server.stats)).includes('"closed"'))
})

test('beyond maxConcurrentRequests a call is refused with 503 at once, and counted', async (t) => {
  const r = coreRouter(DTAB, () => 'hang')
  const server = { ...r.server, maxConcurrentRequests: 1, active: 0 }
  const first = new Collector()
  r.router.route(new Call(request(), server, '1.1'), first)
  await eventually('the first call sent', () => r.sent.length === 1)
  const second = await r.call(request(), server)
  t.is(second.status, 503)
  t.regex(second.body, /^Too many concurrent requests \(limit 1\)/)
  first.abort?.(new ClientClosedError())
  await first.done
  t.is(server.active, 0, 'the place is given back when the call is over')
  const third = new Collector()
  r.router.route(new Call(request(), server, '1.1'), third)
  t.is(server.active, 1, 'and taken by the next call')
  await eventually('the third call sent', () => r.sent.length === 2)
  third.abort?.(new ClientClosedError())
  await third.done
  t.like(r.server.stats, { requests: 3, failures: 3, pending: 0 })
})

test('clearContext: no l5d header in or out, no override, no error detail', async (t) => {
  const r = coreRouter(DTAB, () => ({ status: 200, headers: ['l5d-x', 'y'], body: '' }))
  const edge = { ...r.server, clearContext: true }
  const req = request([
    'Host',
    'users',
    'l5d-dtab',
    '/svc/users=>/#/io.l5d.fs/users-v2',
    'l5d-a',
    'b',
  ])
  const answer = await r.call(req, edge)
  t.is(answer.status, 200)
  t.is(answer.header('l5d-x'), undefined)
  t.is(r.sent[0]?.endpoint, '127.0.0.1:9001', 'the override was ignored')
  t.false(r.sent[0]?.request.headers.includes('l5d-a'))
  const failed = await r.call(request(['Host', 'nobody']), edge)
  t.is(failed.status, 502)
  t.is(failed.body, '')
  t.is(failed.header('l5d-err'), undefined)
})

test('a proxy loop (too many Via entries) is a 400', async (t) => {
  const r = coreRouter(DTAB, okReply, { maxCallDepth: 2 })
  const answer = await r.call(request(['Host', 'users', 'Via', '1.1 linkerd, 1.1 linkerd']))
  t.is(answer.status, 400)
  t.regex(answer.body, /^Maximum number of calls \(2\) has been exceeded/)
})

/** A stats object's metrics as `{ path: value }`. */
function collect(stats: { collectAt(at: readonly string[], out: unknown[]): void }): unknown[] {
  const out: unknown[] = []
  stats.collectAt([], out)
  return out
}
