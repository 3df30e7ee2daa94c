/**
 * The router's own gRPC answers over its real HTTP/2 server (router/h2/server.ts) to real
 * clients: one HEADERS frame that ends the stream (trailers-only), and what @grpc/grpc-js makes
 * of it.
 */
import test from 'ava'
import { Client, credentials, Metadata, status as grpcStatus } from '@grpc/grpc-js'
import { END_STREAM, exchange, h2Client, h2Router } from '../../../testing/router/h2.js'

const GRPC = { 'content-type': 'application/grpc', ':method': 'POST', te: 'trailers' }

test('an unroutable gRPC call: one HEADERS frame with END_STREAM, grpc-status UNAVAILABLE', async (t) => {
  const r = await h2Router(t, () => t.fail('nothing is sent'))
  const answer = await exchange(h2Client(t, r.url), {
    ...GRPC,
    ':authority': 'nobody',
    ':path': '/pkg.Users/Get',
  })
  t.is(answer.status, 200)
  t.true((answer.flags & END_STREAM) !== 0, 'trailers-only')
  t.is(answer.headers['grpc-status'], '14')
  t.is(answer.headers['content-type'], 'application/grpc')
  t.regex(decodeURIComponent(String(answer.headers['grpc-message'])), /\/svc\/nobody/)
  t.truthy(answer.headers['l5d-err'])
  t.is(answer.body.length, 0)
  t.is(answer.rstCode, 0)
})

test('a gRPC call that cannot be identified: INVALID_ARGUMENT, not a reset', async (t) => {
  const unidentified = () => ({ ok: false as const, reason: 'no name for it' })
  const r = await h2Router(t, () => t.fail('nothing is sent'), {}, { identify: unidentified })
  const answer = await exchange(h2Client(t, r.url), { ...GRPC, ':path': '/pkg.Users/Get' })
  t.is(answer.status, 200)
  t.is(answer.headers['grpc-status'], '3')
  t.regex(decodeURIComponent(String(answer.headers['grpc-message'])), /no name for it/)
  t.is(answer.rstCode, 0)
  const plain = await exchange(h2Client(t, r.url), { ':path': '/' })
  t.is(plain.status, 400, 'not gRPC: 400')
  t.regex(plain.body.toString(), /no name for it/)
})

test('@grpc/grpc-js gets UNAVAILABLE with the router message as details', async (t) => {
  const r = await h2Router(t, () => t.fail('nothing is sent'))
  const client = new Client(`127.0.0.1:${r.port}`, credentials.createInsecure())
  t.teardown(() => client.close())
  const bytes = (b: Buffer) => b
  const err = await new Promise<{ code: number; details: string } | null>((resolve) => {
    const deadline = Date.now() + 10_000
    client.makeUnaryRequest(
      '/pkg.Users/Get',
      bytes,
      bytes,
      Buffer.alloc(0),
      new Metadata(),
      { deadline },
      (e) => resolve(e as { code: number; details: string } | null),
    )
  })
  t.is(err?.code, grpcStatus.UNAVAILABLE)
  t.regex(err?.details ?? '', /Unable to route request!/)
})
