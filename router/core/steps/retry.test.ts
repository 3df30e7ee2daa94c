/**
 * Retries and requeues in the routing core, over the in-memory transport: what is sent again,
 * to where, and what the stats say. Real sockets and processes: e2e/router/resilience*.
 */
import test from 'ava'
import { Readable } from 'node:stream'
import { parseClassifier } from '../../classifiers/index.js'
import { Section } from '../../../lib/config/section.js'
import { UpstreamError } from '../handler.js'
import { servicePolicy } from '../service-policy.js'
import { coreRouter, request, type Reply } from '../../../testing/router/core.js'
import type { ServiceParams } from '../../config/client.js'
import { DEFAULT_RETRIES } from '../../config/resilience.js'

const DTAB = '/svc => /#/io.l5d.fs; /svc/users => /#/io.l5d.fs/users-v1'
const A = '127.0.0.1:9001'
const ok: Reply = { status: 200, body: 'ok' }
const unavailable: Reply = { status: 503, body: 'down' }
const refused = (): Reply => ({
  error: new UpstreamError('ECONNREFUSED', 'connect ECONNREFUSED', { unsent: true }),
})

function classifier(kind: string): ServiceParams {
  return { responseClassifier: parseClassifier(new Section({ kind }, 'c')) }
}

function withMethod(method: string, body?: string): ReturnType<typeof request> {
  const headers = ['Host', 'users']
  if (body !== undefined) headers.push('Content-Length', String(body.length))
  return {
    ...request(headers),
    method,
    body: Readable.from(body === undefined ? [] : [Buffer.from(body)]),
  }
}

test('a refused connection is requeued to the other endpoint, whatever the method', async (t) => {
  const r = coreRouter(DTAB, (_req, e) => (e === A ? refused() : ok))
  for (let i = 0; i < 40; i++) {
    const answer = await r.call(withMethod(i % 2 === 0 ? 'GET' : 'POST', 'payload'))
    t.is(answer.status, 200)
  }
  const client = r.stats.client('/#/io.l5d.fs/users-v1')
  t.true(client.counter('retries/requeues').value > 0)
  t.is(r.stats.service('/svc/users').counter('retries/total').value, 0, 'requeues are not retries')
  const resent = r.sent.filter((s) => s.endpoint !== A && s.request.method === 'POST')
  t.true(
    resent.every((s) => Buffer.isBuffer(s.request.body)),
    'the body went whole',
  )
})

test('with one endpoint a refused connection is not requeued', async (t) => {
  const r = coreRouter('/svc => /#/io.l5d.fs', refused)
  const answer = await r.call()
  t.is(answer.status, 502)
  t.is(answer.header('l5d-retryable'), 'true', 'never written: the caller may send it again')
  t.is(r.sent.length, 1)
})

test('the default classifier retries nothing; retryableRead5XX retries GETs, not POSTs', async (t) => {
  const reply = (_req: unknown, e: string): Reply => (e === A ? unavailable : ok)
  const plain = coreRouter(DTAB, reply)
  let failed = 0
  for (let i = 0; i < 40; i++) if ((await plain.call(withMethod('GET'))).status === 503) failed++
  t.true(failed > 0, 'without retries some GETs fail')
  t.is(plain.stats.service('/svc/users').counter('retries/total').value, 0)

  const read = coreRouter(DTAB, reply, {
    policyFor: () => servicePolicy(classifier('io.l5d.http.retryableRead5XX')),
  })
  for (let i = 0; i < 40; i++) t.is((await read.call(withMethod('GET'))).status, 200)
  let posts = 0
  for (let i = 0; i < 40; i++)
    if ((await read.call(withMethod('POST', 'x'))).status === 503) posts++
  t.true(posts > 0, 'a POST is not retried')
  const retries = read.stats.service('/svc/users').counter('retries/total').value
  t.true(retries >= 5, `${retries} retries: about one per GET that went to A first`)
})

test('l5d-retryable: true on a failure is retried even by the default classifier', async (t) => {
  const r = coreRouter(DTAB, (_req, e) =>
    e === A ? { status: 502, headers: ['l5d-retryable', 'true'] } : ok,
  )
  for (let i = 0; i < 30; i++) t.is((await r.call(withMethod('POST', 'x'))).status, 200)
})

test('a retry resends the kept body; a chunked body is not retried and is counted', async (t) => {
  const bodies: string[] = []
  const r = coreRouter(
    DTAB,
    (req, e) => {
      if (Buffer.isBuffer(req.body)) bodies.push(req.body.toString())
      return e === A ? unavailable : ok
    },
    { policyFor: () => servicePolicy(classifier('io.l5d.http.retryableAll5XX')) },
  )
  for (let i = 0; i < 20; i++) t.is((await r.call(withMethod('POST', `body-${i}`))).status, 200)
  t.true(bodies.every((b) => /^body-\d+$/.test(b)))
  const chunked = {
    ...withMethod('POST'),
    rawHeaders: ['Host', 'users', 'Transfer-Encoding', 'chunked'],
  }
  let failed = 0
  for (let i = 0; i < 20; i++)
    if ((await r.call({ ...chunked, body: Readable.from([Buffer.from('x')]) })).status === 503)
      failed++
  t.true(failed > 0)
  t.is(r.stats.service('/svc/users').counter('retries/request_stream_too_long').value, failed)
})

test('when every endpoint fails, retries stay within the budget', async (t) => {
  const budget = { ttlSecs: 10, minRetriesPerSec: 1, percentCanRetry: 0.2 }
  const r = coreRouter(DTAB, () => unavailable, {
    policyFor: () =>
      servicePolicy({
        ...classifier('io.l5d.http.retryableRead5XX'),
        retries: { ...DEFAULT_RETRIES, budget },
      }),
  })
  const n = 200
  for (let i = 0; i < n; i++) t.is((await r.call(withMethod('GET'))).status, 503)
  const bound = n + n * budget.percentCanRetry + budget.minRetriesPerSec * budget.ttlSecs
  t.true(r.sent.length <= bound, `${r.sent.length} attempts for ${n} requests, bound ${bound}`)
  const service = r.stats.service('/svc/users')
  t.true(service.counter('retries/budget_exhausted').value > 0)
  t.is(r.sent.length, n + service.counter('retries/total').value)
})
