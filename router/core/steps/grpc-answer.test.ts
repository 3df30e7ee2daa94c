/**
 * The answers gRPC requests get from the router itself (in-memory transport): HTTP 200 with a
 * gRPC status and message and no body, and `grpc-timeout` bounding the call, binding included.
 */
import test from 'ava'
import { GRPC, RouterError } from '../../errors.js'
import { Call } from '../call.js'
import { StreamResetError } from '../handler.js'
import { servicePolicy } from '../service-policy.js'
import {
  Collector,
  coreRouter,
  request,
  slowAddressNamer,
  type Reply,
} from '../../../testing/router/core.js'

const DTAB = '/svc => /#/io.l5d.fs; /svc/slow => /#/slow/users'
const ok: Reply = { status: 200, body: 'ok' }
const GRPC_CALL = ['content-type', 'application/grpc']

function grpcRequest(host: string | undefined, extra: string[] = []) {
  const hostHeader = host === undefined ? [] : ['Host', host]
  return request([...hostHeader, ...GRPC_CALL, ...extra], '/pkg.Users/Get')
}

test('an unidentified gRPC call: 200, INVALID_ARGUMENT, message and l5d-err, no body', async (t) => {
  const r = coreRouter(DTAB, () => ok)
  const answer = await r.call(grpcRequest(undefined))
  t.is(answer.status, 200)
  t.is(answer.header('content-type'), 'application/grpc')
  t.is(answer.header('grpc-status'), String(GRPC.INVALID_ARGUMENT))
  t.regex(
    decodeURIComponent(answer.header('grpc-message') ?? ''),
    /^Unknown destination: .*no Host/,
  )
  t.regex(answer.header('l5d-err') ?? '', /^Unknown\+destination/)
  t.is(answer.header('content-length'), '0')
  t.is(answer.body, '')
  t.true(answer.completed)
  t.is(answer.trailers, undefined)
})

test('no route and no endpoints: UNAVAILABLE', async (t) => {
  const r = coreRouter('/svc/none => /$/nil; /svc => /#/io.l5d.fs', () => ok)
  t.is((await r.call(grpcRequest('none'))).header('grpc-status'), '14')
  t.is((await r.call(grpcRequest('nobody'))).header('grpc-status'), '14')
})

test('an endpoint that cannot be reached: UNAVAILABLE', async (t) => {
  const refused = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })
  const r = coreRouter(DTAB, () => ({ error: refused }))
  const answer = await r.call(grpcRequest('users'))
  t.is(answer.header('grpc-status'), '14')
  t.regex(decodeURIComponent(answer.header('grpc-message') ?? ''), /Unable to establish connection/)
})

test('a total timeout: DEADLINE_EXCEEDED', async (t) => {
  const r = coreRouter(DTAB, () => 'hang', {
    policyFor: () => servicePolicy({ totalTimeoutMs: 30 }),
  })
  const answer = await r.call(grpcRequest('users'))
  t.is(answer.status, 200)
  t.is(answer.header('grpc-status'), String(GRPC.DEADLINE_EXCEEDED))
})

test('clearContext: the gRPC status without message or l5d-err', async (t) => {
  const r = coreRouter(DTAB, () => ok)
  const answer = await r.call(grpcRequest(undefined), { ...r.server, clearContext: true })
  t.is(answer.header('grpc-status'), '3')
  t.is(answer.header('grpc-message'), undefined)
  t.is(answer.header('l5d-err'), undefined)
})

test('a request that is not gRPC keeps linkerd statuses', async (t) => {
  const r = coreRouter(DTAB, () => ok)
  const answer = await r.call(request([]))
  t.is(answer.status, 400)
  t.is(answer.header('grpc-status'), undefined)
  t.regex(answer.body, /^Unknown destination/)
})

test('grpc-timeout ends a call whose addresses stay pending: DEADLINE_EXCEEDED, nothing sent', async (t) => {
  const slow = slowAddressNamer()
  const r = coreRouter(DTAB, () => ok, { bindingTimeoutMs: 60_000 }, [slow.mounted])
  t.teardown(() => r.router.close())
  const started = Date.now()
  const answer = await r.call(grpcRequest('slow', ['grpc-timeout', '60m']))
  t.true(Date.now() - started < 5000, 'long before the binding timeout')
  t.is(answer.header('grpc-status'), String(GRPC.DEADLINE_EXCEEDED))
  t.regex(decodeURIComponent(answer.header('grpc-message') ?? ''), /grpc-timeout\) of 60 ms/)
  slow.release()
  await new Promise((resolve) => setTimeout(resolve, 20))
  t.is(r.sent.length, 0)
})

test('grpc-timeout is forwarded unchanged and sent on as the deadline', async (t) => {
  const r = coreRouter(DTAB, () => ok, {
    policyFor: () => servicePolicy({ totalTimeoutMs: 60_000 }),
  })
  const before = Date.now()
  const answer = await r.call(grpcRequest('users', ['grpc-timeout', '5S']))
  t.is(answer.status, 200)
  const h = r.sent[0]?.request.headers ?? []
  t.is(h[h.indexOf('grpc-timeout') + 1], '5S')
  const deadlineMs = Number(h[h.indexOf('l5d-ctx-deadline') + 1]?.split(' ')[1]) / 1e6
  t.true(deadlineMs >= before + 5000 - 1 && deadlineMs <= Date.now() + 5000 + 1)
})

test('grpc-timeout 0: answered at once without sending; a malformed one is ignored', async (t) => {
  const r = coreRouter(DTAB, () => ok)
  const zero = await r.call(grpcRequest('users', ['grpc-timeout', '0S']))
  t.is(zero.header('grpc-status'), '4')
  t.is(r.sent.length, 0)
  const malformed = await r.call(grpcRequest('users', ['grpc-timeout', 'soon']))
  t.is(malformed.status, 200)
  t.is(malformed.body, 'ok')
  t.is(r.sent.length, 1)
})

test('an endpoint reset before the answer is passed on to an HTTP/2 client as a reset', async (t) => {
  const reset = new StreamResetError(0x2, 'stream reset by the endpoint (INTERNAL_ERROR)')
  const r = coreRouter(DTAB, () => ({ error: reset }))
  const h2 = { ...grpcRequest('users'), httpVersion: '2.0' }
  const collector = new Collector()
  r.router.route(new Call(h2, r.server, '2'), collector)
  await collector.done
  t.is(collector.status, 0, 'no answer head')
  t.true(collector.error instanceof StreamResetError)
  t.is((collector.error as StreamResetError).rstCode, 2)
  const h1 = await r.call(grpcRequest('users'))
  t.is(h1.header('grpc-status'), '14', 'over HTTP/1.1 it is answered')
})

test('every router error code has a gRPC status', async (t) => {
  const { ROUTER_ERROR_CODES, grpcStatusOf } = await import('../../errors.js')
  for (const code of ROUTER_ERROR_CODES) t.true([3, 4, 7, 14].includes(grpcStatusOf(code)), code)
  t.is(grpcStatusOf(new RouterError('ERR_PEER_NOT_ALLOWED', 'x').code), GRPC.PERMISSION_DENIED)
  t.is(grpcStatusOf(undefined), GRPC.UNAVAILABLE)
})
