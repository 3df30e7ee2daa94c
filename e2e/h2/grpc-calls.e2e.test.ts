// gRPC through the real router (protocol h2, io.l5d.header.path segments 1, io.l5d.fs): every
// kind of call, a 16 MiB message, a deadline and a cancel that reach the endpoint, resets from
// the endpoint, 1,000 concurrent streams on one connection, and a call the router cannot route.
// One router and one Echo backend process serve the file's tests, one test at a time (the
// backend's counters are compared before and after each).
import test from 'ava'
import { status, type ServiceError } from '@grpc/grpc-js'
import { constants } from 'node:http2'
import { eventually } from '../../testing/eventually.js'
import { EchoClient, metaValue } from '../../testing/grpc/echo-client.js'
import { EchoProcess } from '../../testing/grpc/echo-process.js'
import { pattern, SERVICE_NAME, sha256 } from '../../testing/grpc/echo-service.js'
import { h2Router } from '../../testing/grpc/router.js'
import { Cleanups } from '../../testing/namerctl/setup.js'
import type { RunningRouter } from '../../testing/router/process.js'
import { TcpRelay } from '../../testing/servers/tcp-relay.js'

const MiB = 1024 * 1024
const cleanups = new Cleanups()
let backend: EchoProcess
let router: RunningRouter
let client: EchoClient

test.before(async () => {
  backend = await EchoProcess.start('b1')
  cleanups.add(() => backend.kill())
  router = await h2Router(cleanups.context, { [SERVICE_NAME]: [backend.port] })
  client = new EchoClient(router.port)
  cleanups.add(() => client.close())
})
test.after.always(() => cleanups.run())

/** The backend's count of calls of `method` cancelled, once it changed from `before`. */
async function cancelledAfter(method: string, before: number): Promise<void> {
  const moved = async () => ((await backend.counts()).cancelled[method] ?? 0) > before
  await eventually(`the endpoint to see the ${method} call cancelled`, moved)
}

const cancelledNow = async (method: string) => (await backend.counts()).cancelled[method] ?? 0

test.serial(
  'unary: the endpoint answers, its trailer comes through, Via says h2 linkerd',
  async (t) => {
    const { reply, headers, trailers } = await client.unary({
      text: 'hello',
      body: Buffer.from('xyz'),
    })
    t.like(reply, { backend: 'b1', text: 'hello', received: 3 })
    t.is(metaValue(trailers, 'x-backend'), 'b1')
    t.regex(metaValue(headers, 'via') ?? '', /h2 linkerd/)
  },
)

test.serial(
  'unary: an endpoint status (trailers-only answer) reaches the client with its message',
  async (t) => {
    const call = client.unary({ failCode: status.NOT_FOUND, failMessage: 'no such thing' })
    const e = await t.throwsAsync<ServiceError>(call)
    t.is(e?.code, status.NOT_FOUND)
    t.is(e?.details, 'no such thing')
    t.is(e?.metadata === undefined ? undefined : metaValue(e.metadata, 'x-backend'), 'b1')
  },
)

test.serial('server streaming: 1,000 replies in order, then the trailers', async (t) => {
  const { replies, trailers } = await client.serverStream({ count: 1000, text: 's' })
  t.is(replies.length, 1000)
  t.true(replies.every((r, i) => r.seq === i && r.backend === 'b1'))
  t.is(metaValue(trailers, 'x-backend'), 'b1')
})

test.serial('client streaming: 1,000 requests summed in one reply', async (t) => {
  const requests = Array.from({ length: 1000 }, (_, i) => ({
    text: String(i % 10),
    body: pattern(100),
  }))
  const { reply, trailers } = await client.clientStream(requests)
  t.like(reply, { backend: 'b1', messages: 1000, received: 100_000 })
  t.is(reply.text, requests.map((r) => r.text).join(''))
  t.is(metaValue(trailers, 'x-backend'), 'b1')
})

test.serial('bidirectional: 1,000 requests, each echoed', async (t) => {
  const requests = Array.from({ length: 1000 }, (_, i) => ({ text: `m${i}` }))
  const { replies, trailers } = await client.bidi(requests)
  t.deepEqual(
    replies.map((r) => r.text),
    requests.map((r) => r.text),
  )
  t.is(metaValue(trailers, 'x-backend'), 'b1')
})

test.serial('a 16 MiB message each way, compared by hash', async (t) => {
  const body = pattern(16 * MiB)
  const { reply } = await client.unary({ body, replyBytes: 16 * MiB })
  t.is(reply.received, 16 * MiB)
  t.is(reply.receivedSha256, sha256(body))
  t.is(reply.body?.length, 16 * MiB)
  t.is(sha256(reply.body ?? Buffer.alloc(0)), sha256(body))
})

test.serial(
  'a deadline reaches the endpoint; expired there, the client gets DEADLINE_EXCEEDED and the endpoint saw the cancel',
  async (t) => {
    const { reply } = await client.unary({}, { deadlineMs: 10_000 })
    t.true(reply.hadDeadline, 'the endpoint got grpc-timeout')
    const before = await cancelledNow('Unary')
    const late = client.unary({ delayMs: 20_000 }, { deadlineMs: 500 })
    const e = await t.throwsAsync<ServiceError>(late)
    t.is(e?.code, status.DEADLINE_EXCEEDED)
    await cancelledAfter('Unary', before)
  },
)

test.serial('a client cancel reaches the endpoint', async (t) => {
  const before = await backend.counts()
  const hung = client.hang()
  const held = async () => ((await backend.counts()).calls.Hang ?? 0) > (before.calls.Hang ?? 0)
  await eventually('the endpoint to hold the call', held)
  hung.call.cancel()
  t.is((await hung.failed).code, status.CANCELLED)
  await cancelledAfter('Hang', before.cancelled.Hang ?? 0)
})

test.serial(
  'an endpoint that resets its stream after the head: the client sees the reset code as grpc-js maps it',
  async (t) => {
    const cancel = await t.throwsAsync<ServiceError>(
      client.reset({ rstCode: constants.NGHTTP2_CANCEL }),
    )
    t.is(cancel?.code, status.CANCELLED, cancel?.details)
    const internal = await t.throwsAsync<ServiceError>(
      client.reset({ rstCode: constants.NGHTTP2_INTERNAL_ERROR }),
    )
    t.is(internal?.code, status.INTERNAL, internal?.details)
    const calm = await t.throwsAsync<ServiceError>(
      client.reset({ rstCode: constants.NGHTTP2_ENHANCE_YOUR_CALM }),
    )
    t.is(calm?.code, status.RESOURCE_EXHAUSTED, calm?.details)
  },
)

test.serial(
  'an endpoint that resets before any answer: the call fails (not OK, no hang)',
  async (t) => {
    const e = await t.throwsAsync<ServiceError>(
      client.reset({ afterHead: false }, { deadlineMs: 10_000 }),
    )
    t.not(e?.code, status.OK)
    t.not(e?.code, status.DEADLINE_EXCEEDED, `the call hung: ${e?.details}`)
    t.log(`a reset before the head came to the client as ${status[e?.code ?? 0]}: ${e?.details}`)
  },
)

test.serial('1,000 concurrent streams on one client connection, all answered', async (t) => {
  const relay = await TcpRelay.start(router.port)
  t.teardown(() => relay.close())
  const one = new EchoClient(relay.port)
  t.teardown(() => one.close())
  await one.unary({})
  const calls = Array.from({ length: 1000 }, (_, i) =>
    one.unary({ text: String(i), delayMs: 1500 }),
  )
  const allOpen = async () => (await backend.counts()).inFlight >= 1000
  await eventually('1,000 calls in flight at the endpoint at once', allOpen, 20_000)
  t.is(relay.connections, 2, 'one client connection (and its relayed twin)')
  const answers = await Promise.all(calls)
  t.true(answers.every((a, i) => a.reply.text === String(i)))
})

test.serial('a call the router cannot route gets UNAVAILABLE with l5d-err', async (t) => {
  const stranger = new EchoClient(router.port, {}, 'test.Nowhere')
  t.teardown(() => stranger.close())
  const e = await t.throwsAsync<ServiceError>(stranger.unary({}, { deadlineMs: 20_000 }))
  t.is(e?.code, status.UNAVAILABLE, e?.details)
  const err = e?.metadata === undefined ? undefined : metaValue(e.metadata, 'l5d-err')
  t.truthy(err, 'l5d-err in the metadata')
  t.log(`l5d-err: ${err}; details: ${e?.details}`)
})
