/**
 * Deadlines in the routing core (in-memory transport): the service's total timeout and a
 * received `l5d-ctx-deadline` bound the call, the earlier one is sent on, and one already past
 * is answered without sending.
 */
import test from 'ava'
import { servicePolicy } from '../service-policy.js'
import { coreRouter, request, type Reply } from '../../../testing/router/core.js'
import { readDeadline } from './timeouts.js'

const DTAB = '/svc => /#/io.l5d.fs'
const ok: Reply = { status: 200, body: 'ok' }

function sentDeadline(r: ReturnType<typeof coreRouter>, i = 0): [number, number] | undefined {
  const h = r.sent[i]?.request.headers ?? []
  const at = h.indexOf('l5d-ctx-deadline')
  if (at === -1) return undefined
  const [set, deadline] = (h[at + 1] as string).split(' ').map((ns) => Number(ns) / 1e6)
  return [set as number, deadline as number]
}

test('no timeout and no received deadline: nothing is sent on', async (t) => {
  const r = coreRouter(DTAB, () => ok)
  t.is((await r.call()).status, 200)
  t.is(sentDeadline(r), undefined)
})

test('a total timeout is sent on as the deadline', async (t) => {
  const r = coreRouter(DTAB, () => ok, { policyFor: () => servicePolicy({ totalTimeoutMs: 2000 }) })
  const before = Date.now()
  t.is((await r.call()).status, 200)
  const [set, deadline] = sentDeadline(r) ?? [0, 0]
  t.true(set >= before - 1 && set <= Date.now() + 1)
  t.true(
    deadline >= before + 2000 - 1 && deadline <= Date.now() + 2000 + 1,
    String(deadline - before),
  )
})

test('the earlier of the received deadline and the total timeout wins', async (t) => {
  const r = coreRouter(DTAB, () => ok, {
    policyFor: () => servicePolicy({ totalTimeoutMs: 60_000 }),
  })
  const soon = Date.now() + 1500
  const header = `${Date.now()}000000 ${soon}000000`
  t.is((await r.call(request(['Host', 'users', 'l5d-ctx-deadline', header]))).status, 200)
  const h = r.sent[0]?.request.headers ?? []
  t.is(h[h.indexOf('l5d-ctx-deadline') + 1]?.split(' ')[1], `${soon}000000`, 'exactly, to the ms')
})

test('a received deadline already past is answered 504 without sending', async (t) => {
  const r = coreRouter(DTAB, () => ok)
  const past = `${Date.now() - 5000}000000 ${Date.now() - 10}000000`
  const answer = await r.call(request(['Host', 'users', 'l5d-ctx-deadline', past]))
  t.is(answer.status, 504)
  t.regex(decodeURIComponent(answer.header('l5d-err') ?? ''), /deadline/)
  t.is(r.sent.length, 0)
})

test('a received deadline that passes while waiting fails the call and aborts the exchange', async (t) => {
  const r = coreRouter(DTAB, () => 'hang')
  const header = `${Date.now()}000000 ${Date.now() + 80}000000`
  const answer = await r.call(request(['Host', 'users', 'l5d-ctx-deadline', header]))
  t.is(answer.status, 504)
  t.not(r.sent[0]?.aborted, undefined)
})

test('readDeadline: the strictest readable value; malformed ones are ignored', (t) => {
  t.is(readDeadline(['1 5000000', '1 3000000', 'x', '7', '1 -5', '1 abc']), 3)
  t.is(readDeadline(['garbage']), Infinity)
  const r = coreRouter(DTAB, () => ok)
  return r.call(request(['Host', 'users', 'l5d-ctx-deadline', 'garbage'])).then((a) => {
    t.is(a.status, 200, 'a malformed deadline is no deadline')
    t.is(sentDeadline(r), undefined)
  })
})
