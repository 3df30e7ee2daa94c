// The gRPC harness checked on its own: clients straight to Echo backend processes, no router.
// What the router's end-to-end tests (e2e/h2/) assert through the router holds here first.
import test from 'ava'
import { status, type ServiceError } from '@grpc/grpc-js'
import { constants } from 'node:http2'
import { eventually } from '../eventually.js'
import { EchoClient, metaValue } from './echo-client.js'
import { echoBackends } from './echo-process.js'
import { pattern, sha256 } from './echo-service.js'
import { runCalls } from './load.js'

const MiB = 1024 * 1024

async function direct(t: Parameters<typeof echoBackends>[0], name = 'b1') {
  const [backend] = await echoBackends(t, name)
  if (backend === undefined) throw new Error('no backend')
  const client = new EchoClient(backend.port)
  t.teardown(() => client.close())
  return { backend, client }
}

test('Unary echoes with the backend name in the reply and in the x-backend trailer', async (t) => {
  const { client } = await direct(t)
  const { reply, trailers } = await client.unary({ text: 'hi', body: Buffer.from('abc') })
  t.is(reply.backend, 'b1')
  t.is(reply.text, 'hi')
  t.is(reply.received, 3)
  t.is(metaValue(trailers, 'x-backend'), 'b1')
})

test('Unary fails with the status asked for, the trailer naming the backend', async (t) => {
  const { client } = await direct(t)
  const e = await t.throwsAsync<ServiceError>(client.unary({ failCode: status.UNAVAILABLE }))
  t.is(e?.code, status.UNAVAILABLE)
  t.is(e?.metadata === undefined ? undefined : metaValue(e.metadata, 'x-backend'), 'b1')
})

test('the streaming methods: N replies, a sum of the requests, one reply per request', async (t) => {
  const { client } = await direct(t)
  const server = await client.serverStream({ count: 5, text: 's' })
  t.deepEqual(
    server.replies.map((r) => r.seq),
    [0, 1, 2, 3, 4],
  )
  t.is(metaValue(server.trailers, 'x-backend'), 'b1')
  const sum = await client.clientStream([{ text: 'a' }, { text: 'b', body: Buffer.alloc(10) }])
  t.like(sum.reply, { backend: 'b1', messages: 2, received: 10, text: 'ab' })
  const bidi = await client.bidi([{ text: 'x' }, { text: 'y' }, { text: 'z' }])
  t.deepEqual(
    bidi.replies.map((r) => r.text),
    ['x', 'y', 'z'],
  )
})

test('16 MiB each way, compared by hash', async (t) => {
  const { client } = await direct(t)
  const body = pattern(16 * MiB)
  const { reply } = await client.unary({ body, replyBytes: 16 * MiB })
  t.is(reply.receivedSha256, sha256(body))
  t.is(sha256(reply.body ?? Buffer.alloc(0)), sha256(body))
})

test('Hang: a client cancel and an expired deadline are counted by the backend', async (t) => {
  const { backend, client } = await direct(t)
  const hung = client.hang()
  await eventually(
    'the backend to hold the call',
    async () => (await backend.counts()).inFlight === 1,
  )
  hung.call.cancel()
  t.is((await hung.failed).code, status.CANCELLED)
  const late = await t.throwsAsync<ServiceError>(
    client.unary({ delayMs: 5000 }, { deadlineMs: 200 }),
  )
  t.is(late?.code, status.DEADLINE_EXCEEDED)
  await eventually('both cancels counted', async () => {
    const c = (await backend.counts()).cancelled
    return c.Hang === 1 && c.Unary === 1
  })
  t.is((await backend.counts()).inFlight, 0)
})

test('Reset: grpc-js maps the RST_STREAM code (CANCEL → CANCELLED, INTERNAL_ERROR → INTERNAL)', async (t) => {
  const { client } = await direct(t)
  const cancel = await t.throwsAsync<ServiceError>(
    client.reset({ rstCode: constants.NGHTTP2_CANCEL }),
  )
  t.is(cancel?.code, status.CANCELLED)
  const internal = await t.throwsAsync<ServiceError>(client.reset({}))
  t.is(internal?.code, status.INTERNAL)
  t.regex(internal?.details ?? '', /RST_STREAM with code 2/)
  const before = await t.throwsAsync<ServiceError>(client.reset({ afterHead: false }))
  t.is(before?.code, status.INTERNAL)
})

test('a killed backend comes back on its port; calls are tallied by backend and by status', async (t) => {
  const { backend, client } = await direct(t, 'b7')
  const tally = await runCalls(client, 500, 50)
  t.deepEqual(tally.byBackend, { b7: 500 })
  await backend.kill()
  const failed = await runCalls(client, 5, 5)
  t.is(failed.ok, 0)
  t.true(
    Object.keys(failed.failures).every((k) => k.startsWith('UNAVAILABLE')),
    JSON.stringify(failed),
  )
  await backend.restart()
  await eventually('calls to succeed again', async () => (await runCalls(client, 1, 1)).ok === 1)
  t.is((await backend.counts()).calls.Unary, 1)
})

test('pattern: byte i is i mod 251, at any length', (t) => {
  for (const n of [0, 1, 251, 252, 1000, 70_001]) {
    const b = pattern(n)
    t.is(b.length, n)
    t.true(
      b.every((x, i) => x === i % 251),
      `length ${n}`,
    )
  }
})
