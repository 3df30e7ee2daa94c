/**
 * Retries decided at a stream's end (gRPC statuses in trailers) and HTTP/2 request bodies teed,
 * over the in-memory transport. Real HTTP/2 sockets: the gRPC end-to-end tests under e2e/.
 */
import test from 'ava'
import { PassThrough, Readable } from 'node:stream'
import { Section } from '../../../lib/config/section.js'
import { nullLog } from '../../../lib/log.js'
import { DEFAULT_ACCRUAL } from '../../accrual/index.js'
import { parseClassifier } from '../../classifiers/index.js'
import { Call, type RequestIn } from '../call.js'
import type { ResponseHandler } from '../handler.js'
import { servicePolicy, type ServicePolicy } from '../service-policy.js'
import { Collector, coreRouter, request, type Reply } from '../../../testing/router/core.js'

const TWO = '/svc => /#/io.l5d.fs; /svc/users => /#/io.l5d.fs/users-v1'
const ONE = '/svc => /#/io.l5d.fs'
const A = '127.0.0.1:9001'
const GRPC = ['content-type', 'application/grpc']
const status = (code: number): string[] => ['grpc-status', String(code)]

function policy(kind: string, more: Partial<ServicePolicy> = {}): () => ServicePolicy {
  const classifier = parseClassifier(new Section({ kind }, 'c'))
  const p = { ...servicePolicy({ responseClassifier: classifier }), ...more }
  return () => p
}

/** A gRPC call as an HTTP/2 server hands it over: POST, a body follows, its length unknown. */
function grpcCall(body: Readable = Readable.from([])): RequestIn {
  return {
    ...request(['Host', 'users', ...GRPC], '/pkg.Users/Get'),
    method: 'POST',
    httpVersion: '2.0',
    bodyFollows: true,
    body,
  }
}

/** A promise the test resolves by hand: `fire()`, then `fired` resolves. */
function signal(): { fire: () => void; fired: Promise<void> } {
  let fire: () => void = () => undefined
  const fired = new Promise<void>((resolve) => (fire = resolve))
  return { fire, fired }
}

/** A client that calls `seen` when the answer's head reaches it. */
function headWatcher(seen: () => void): Collector {
  return new (class extends Collector {
    override onHeaders(s: number, fields: string[]): boolean {
      seen()
      return super.onHeaders(s, fields)
    }
  })()
}

/** What an attempt's body holds, read to its end. */
async function text(body: Readable | Buffer | null): Promise<string> {
  if (body === null) return ''
  if (Buffer.isBuffer(body)) return body.toString()
  let all = ''
  for await (const chunk of body) all += String(chunk)
  return all
}

test('a gRPC UNAVAILABLE in trailers is retried elsewhere; the client sees the second answer only', async (t) => {
  const r = coreRouter(
    TWO,
    (_req, e): Reply =>
      e === A
        ? { status: 200, headers: GRPC, body: ['from-a'], trailers: status(14) }
        : { status: 200, headers: GRPC, body: ['from-b'], trailers: status(0) },
    { policyFor: policy('io.l5d.h2.grpc.default') },
  )
  for (let i = 0; i < 20; i++) {
    const answer = await r.call(grpcCall())
    t.is(answer.body, 'from-b')
    t.deepEqual(answer.trailers, status(0))
  }
  const service = r.stats.service('/svc/users')
  t.true(service.counter('retries/total').value >= 3, 'about one per call that went to A first')
  t.is(service.success, 20, 'the retried failures are not the calls’ outcome')
})

test('a held answer past responseBytes goes out whole and in order, and is not retried', async (t) => {
  const chunks = ['0123456789', 'abcdefghij', 'klm']
  const r = coreRouter(
    ONE,
    (): Reply => ({ status: 200, headers: GRPC, body: chunks, trailers: status(14) }),
    {
      policyFor: policy('io.l5d.h2.grpc.default', {
        buffer: { requestBytes: 16_383, responseBytes: 10 },
      }),
    },
  )
  const answer = await r.call(grpcCall())
  t.is(answer.status, 200)
  t.is(answer.body, chunks.join(''))
  t.deepEqual(answer.trailers, status(14))
  t.is(r.sent.length, 1)
  const service = r.stats.service('/svc/users')
  t.is(service.counter('retries/response_stream_too_long').value, 1)
  t.is(service.counter('retries/total').value, 0)
  t.is(service.failures, 1, 'a gRPC failure in trailers counts as a failure')
})

/**
 * A call whose endpoint sends the head and `part1`, and its end (`part2`, gRPC status 14) only
 * once the client has the head: the call ends only if the head went out before the stream did.
 */
function endAfterHead(policyFor: () => ServicePolicy) {
  const { fire: headSeen, fired: seen } = signal()
  const r = coreRouter(
    ONE,
    (): Reply => ({
      answer(h) {
        h.onHeaders(200, GRPC, () => undefined)
        h.onData(Buffer.from('part1'))
        void seen.then(() => {
          h.onData(Buffer.from('part2'))
          h.onComplete(status(14))
        })
      },
    }),
    { policyFor },
  )
  const client = headWatcher(headSeen)
  r.router.route(new Call(grpcCall(), r.server, '2'), client)
  return { r, client }
}

test('an answer whose end does not come within classificationTimeoutMs goes out unheld', async (t) => {
  t.timeout(10_000, 'the head never reached the client before the end')
  const policyFor = policy('io.l5d.h2.grpc.default', { classificationTimeoutMs: 20 })
  const { r, client } = endAfterHead(policyFor)
  await client.done
  t.is(client.body, 'part1part2')
  t.deepEqual(client.trailers, status(14))
  t.is(r.sent.length, 1, 'not retried: the client had the head')
  t.is(r.stats.service('/svc/users').counter('retries/classification_timeout').value, 1)
})

test('a neverRetryable gRPC answer is not held: its head reaches the client before its end', async (t) => {
  t.timeout(10_000, 'the head was held until the end')
  const policyFor = policy('io.l5d.h2.grpc.neverRetryable', { classificationTimeoutMs: 60_000 })
  const { r, client } = endAfterHead(policyFor)
  await client.done
  t.is(client.body, 'part1part2')
  t.deepEqual(client.trailers, status(14))
  t.is(r.sent.length, 1)
  t.is(r.stats.service('/svc/users').counter('retries/classification_timeout').value, 0)
})

test('a neverRetryable gRPC answer marked l5d-retryable is still held and retried', async (t) => {
  const r = coreRouter(
    TWO,
    (_req, e): Reply =>
      e === A
        ? {
            status: 200,
            headers: [...GRPC, 'l5d-retryable', 'true'],
            body: ['from-a'],
            trailers: status(14),
          }
        : { status: 200, headers: GRPC, body: ['from-b'], trailers: status(0) },
    { policyFor: policy('io.l5d.h2.grpc.neverRetryable') },
  )
  for (let i = 0; i < 20; i++) {
    const c = await r.call(grpcCall())
    t.is(c.body, 'from-b', 'the failed answer never reaches the client')
    t.deepEqual(c.trailers, status(0))
  }
  const retries = r.stats.service('/svc/users').counter('retries/total').value
  t.true(retries >= 3, 'about one per call that went to A first')
})

/** A client that reads nothing until `read()` after its first chunk (a full window). */
class SlowClient extends Collector {
  private resume: () => void = () => undefined
  private first = true
  override onHeaders(s: number, fields: string[], resume?: () => void): boolean {
    this.resume = resume ?? this.resume
    return super.onHeaders(s, fields)
  }
  override onData(chunk: Buffer): boolean {
    super.onData(chunk)
    const more = !this.first
    this.first = false
    return more
  }
  read(): void {
    this.resume()
  }
}

test('flushing a held answer keeps the client’s backpressure: the endpoint waits', async (t) => {
  let upstream: ResponseHandler | undefined
  const { fire: dispatched, fired: ready } = signal()
  const r = coreRouter(ONE, (): Reply => ({ answer: (h) => ((upstream = h), dispatched()) }), {
    policyFor: policy('io.l5d.h2.grpc.default', {
      buffer: { requestBytes: 16_383, responseBytes: 10 },
    }),
  })
  const client = new SlowClient()
  r.router.route(new Call(grpcCall(), r.server, '2'), client)
  await ready
  const h = upstream as ResponseHandler
  let resumed = 0
  t.true(h.onHeaders(200, GRPC, () => resumed++))
  t.true(h.onData(Buffer.from('aaaa')), 'held')
  t.true(h.onData(Buffer.from('bbbb')), 'held')
  t.false(h.onData(Buffer.from('cccc')), 'past the buffer: flushed, and the client is full')
  t.is(client.body, 'aaaa', 'the rest waits for the client')
  t.false(h.onData(Buffer.from('dddd')), 'queued behind the held chunks')
  t.is(resumed, 0)
  client.read()
  t.is(client.body, 'aaaabbbbccccdddd')
  t.is(resumed, 1, 'the endpoint sends again once the client read what was held')
  t.true(h.onData(Buffer.from('eeee')))
  h.onComplete(status(0))
  await client.done
  t.is(client.body, 'aaaabbbbccccddddeeee')
  t.deepEqual(client.trailers, status(0))
})

test('a teed request body is sent at once and replayed whole on a retry', async (t) => {
  t.timeout(10_000, 'the first attempt waited for the body to end')
  const source = new PassThrough()
  const seen: string[] = []
  let attempts = 0
  const { fire: first, fired: dispatched } = signal()
  const r = coreRouter(
    TWO,
    (req): Reply => ({
      answer(h) {
        const n = attempts++
        if (n === 0) first()
        void text(req.body).then((body) => {
          seen.push(body)
          h.onHeaders(200, n === 0 ? [...GRPC, ...status(14)] : GRPC, () => undefined)
          if (n > 0) h.onData(Buffer.from(`echo ${body}`))
          h.onComplete(n > 0 ? status(0) : undefined)
        })
      },
    }),
    { policyFor: policy('io.l5d.h2.grpc.default') },
  )
  source.write('hello ')
  const answer = r.call(grpcCall(source))
  await dispatched
  t.is(attempts, 1, 'the first attempt went before the body ended')
  source.end('world')
  const c = await answer
  t.is(c.body, 'echo hello world')
  t.deepEqual(seen, ['hello world', 'hello world'])
  t.is(r.stats.service('/svc/users').counter('retries/total').value, 1)
})

test('a retry while the request still streams gets the kept part, then the rest as it comes', async (t) => {
  t.timeout(10_000, 'the first attempt waited for the body to end')
  const source = new PassThrough()
  let attempts = 0
  const { fire: retried, fired: second } = signal()
  const r = coreRouter(
    TWO,
    (req): Reply => ({
      answer(h) {
        const n = attempts++
        if (n === 0) {
          // Refuses after the first chunk, the request still open (a trailers-only answer).
          ;(req.body as Readable).once('data', () => {
            h.onHeaders(200, [...GRPC, ...status(14)], () => undefined)
            h.onComplete()
          })
          return
        }
        retried()
        void text(req.body).then((body) => {
          h.onHeaders(200, GRPC, () => undefined)
          h.onData(Buffer.from(`echo ${body}`))
          h.onComplete(status(0))
        })
      },
    }),
    { policyFor: policy('io.l5d.h2.grpc.default') },
  )
  source.write('hello ')
  const answer = r.call(grpcCall(source))
  await second
  source.end('world')
  t.is((await answer).body, 'echo hello world')
  t.is(attempts, 2)
})

test('a request body longer than requestBytes is sent at once and not retried', async (t) => {
  t.timeout(10_000, 'the first attempt waited for the body to end')
  const source = new PassThrough()
  const { fire: first, fired: dispatched } = signal()
  const seen: string[] = []
  const r = coreRouter(
    TWO,
    (req): Reply => ({
      answer(h) {
        first()
        void text(req.body).then((body) => {
          seen.push(body)
          h.onHeaders(200, [...GRPC, ...status(14)], () => undefined)
          h.onComplete()
        })
      },
    }),
    {
      policyFor: policy('io.l5d.h2.grpc.default', {
        buffer: { requestBytes: 4, responseBytes: 16_383 },
      }),
    },
  )
  source.write('he')
  const answer = r.call(grpcCall(source))
  await dispatched
  source.end('llo world')
  const c = await answer
  t.is(c.header('grpc-status'), '14', 'the failure is the client’s answer')
  t.deepEqual(seen, ['hello world'])
  t.is(r.sent.length, 1)
  t.is(r.stats.service('/svc/users').counter('retries/request_stream_too_long').value, 1)
})

test('a gRPC failure in trailers counts against its endpoint: failure accrual marks it dead', async (t) => {
  const r = coreRouter(
    TWO,
    (_req, e): Reply => ({
      status: 200,
      headers: GRPC,
      body: 'x',
      trailers: status(e === A ? 13 : 0),
    }),
    {
      policyFor: policy('io.l5d.h2.grpc.neverRetryable'),
      health: {
        healthFor: () => ({ accrual: DEFAULT_ACCRUAL, failFast: false }),
        health: { connectProbe: () => Promise.resolve(true), log: nullLog },
      },
    },
  )
  let failed = 0
  for (let i = 0; i < 60; i++) {
    const c = await r.call(grpcCall())
    if (c.trailers?.[1] === '13') failed++
  }
  const service = r.stats.service('/svc/users')
  t.is(service.failures, failed)
  t.is(service.success, 60 - failed)
  const client = r.stats.client('/#/io.l5d.fs/users-v1')
  t.is(client.failures, failed)
  const health = r.router.clientHealth()['/#/io.l5d.fs/users-v1']
  const a = health?.endpoints.find((e) => e.endpoint === A)
  t.is(a?.state, 'dead', 'five gRPC failures in a row')
  t.true(failed >= 5 && failed < 30, `${failed} calls failed before A was taken out`)
  await r.router.close()
})
