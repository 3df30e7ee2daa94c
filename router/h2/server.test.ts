/**
 * The HTTP/2 server transport with the routing core: a real `node:http2` client against
 * `startH2Server` on loopback, the upstreams scripted in memory (testing/router/h2.ts).
 */
import test from 'ava'
import { createHash, randomBytes } from 'node:crypto'
import { constants } from 'node:http2'
import type { Readable } from 'node:stream'
import { StreamResetError } from '../core/handler.js'
import { ClientResetError } from './downstream.js'
import { eventually } from '../../testing/eventually.js'
import {
  answerOf,
  END_STREAM,
  exchange,
  h2Client,
  h2Router,
  type Dispatched,
} from '../../testing/router/h2.js'

/** Whether `f` comes to hold within 5 s. */
const until = (f: () => boolean): Promise<boolean> =>
  eventually('a condition', f, 5000).then(
    () => true,
    () => false,
  )
const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex')
const answer = (status: number, fields: string[], body?: string, trailers?: string[]) =>
  function answered(d: Dispatched): void {
    d.handler.onHeaders(status, fields, () => undefined)
    if (body !== undefined) d.handler.onData(Buffer.from(body))
    d.handler.onComplete(trailers)
  }

test('a GET is routed by :authority with via h2 linkerd, pseudo-headers not forwarded', async (t) => {
  const r = await h2Router(t, answer(200, ['content-type', 'text/plain', 'x-up', '1'], 'hello'))
  const c = h2Client(t, r.url)
  const a = await exchange(c, { ':path': '/a/b?c=1', 'x-req': 'yes' })
  t.is(a.status, 200)
  t.is(a.body.toString(), 'hello')
  t.is(a.headers['x-up'], '1')
  t.is(a.headers.via, 'h2 linkerd')
  const [d] = r.dispatched
  t.is(d?.endpoint, '127.0.0.1:9001')
  t.is(d?.request.method, 'GET')
  t.is(d?.request.path, '/a/b?c=1')
  const names = (d?.request.headers ?? []).filter((_, i) => i % 2 === 0)
  t.false(
    names.some((n) => n.startsWith(':')),
    names.join(' '),
  )
  const h = (name: string) => d?.request.headers[d.request.headers.indexOf(name) + 1]
  t.is(h('host'), 'users')
  t.is(h('x-req'), 'yes')
  t.regex(h('via') ?? '', /h2 linkerd/)
  t.is(r.server.requests, 1)
  t.true(await until(() => r.server.success === 1))
  t.is(r.server.connections, 1)
})

test('a POST body is streamed to the upstream as it arrives', async (t) => {
  const r = await h2Router(t, (d) => {
    const body = d.request.body as Readable
    void body.toArray().then((chunks: Buffer[]) => {
      answer(200, [], sha(Buffer.concat(chunks)))(d)
    })
  })
  const c = h2Client(t, r.url)
  const sent = randomBytes(1 << 20)
  const a = await exchange(c, { ':method': 'POST', ':path': '/up' }, sent)
  t.is(a.status, 200)
  t.is(a.body.toString(), sha(sent))
})

test('a headers-only answer is one HEADERS frame with END_STREAM', async (t) => {
  const r = await h2Router(t, answer(200, ['grpc-status', '5', 'content-type', 'application/grpc']))
  const a = await exchange(h2Client(t, r.url), { ':path': '/pkg.S/M' })
  t.is(a.status, 200)
  t.is(a.headers['grpc-status'], '5')
  t.truthy(a.flags & END_STREAM, `flags ${a.flags}`)
  t.is(a.body.length, 0)
  t.is(a.trailers, undefined)
})

test('trailers are forwarded, with a one-chunk answer and with a streamed one', async (t) => {
  const trailers = ['grpc-status', '0', 'grpc-message', 'fine']
  const r = await h2Router(t, (d) => {
    if (d.request.path === '/one') return answer(200, [], 'one', trailers)(d)
    d.handler.onHeaders(200, ['content-type', 'application/grpc'], () => undefined)
    setTimeout(() => d.handler.onData(Buffer.from('a')), 5)
    setTimeout(() => d.handler.onData(Buffer.from('b')), 10)
    setTimeout(() => d.handler.onComplete(trailers), 15)
  })
  const c = h2Client(t, r.url)
  for (const [path, body] of [
    ['/one', 'one'],
    ['/streamed', 'ab'],
  ] as const) {
    const a = await exchange(c, { ':path': path })
    t.is(a.body.toString(), body)
    t.like(a.trailers, { 'grpc-status': '0', 'grpc-message': 'fine' })
    t.is(a.rstCode, constants.NGHTTP2_NO_ERROR)
  }
})

test('a streamed answer without trailers ends cleanly; HEAD and 204 have no body', async (t) => {
  const r = await h2Router(t, (d) => {
    const status = d.request.path === '/204' ? 204 : 200
    d.handler.onHeaders(status, [], () => undefined)
    setTimeout(() => d.handler.onData(Buffer.from('body')), 5)
    setTimeout(() => d.handler.onComplete(), 10)
  })
  const c = h2Client(t, r.url)
  const get = await exchange(c, { ':path': '/' })
  t.is(get.body.toString(), 'body')
  t.is(get.trailers, undefined)
  t.is(get.rstCode, 0)
  const head = await exchange(c, { ':path': '/', ':method': 'HEAD' })
  t.is(head.status, 200)
  t.truthy(head.flags & END_STREAM)
  const empty = await exchange(c, { ':path': '/204' })
  t.is(empty.status, 204)
  t.truthy(empty.flags & END_STREAM)
  t.is(empty.body.length, 0)
})

test('no route: 502 with l5d-err, from the router', async (t) => {
  const r = await h2Router(t, answer(200, []))
  const a = await exchange(h2Client(t, r.url), { ':authority': 'nobody', ':path': '/' })
  t.is(a.status, 502)
  t.regex(
    decodeURIComponent(String(a.headers['l5d-err']).replaceAll('+', ' ')),
    /service name: \/svc\/nobody/,
  )
  t.regex(a.body.toString(), /Unable to route request/)
  t.is(r.dispatched.length, 0)
})

test('the client resetting its stream aborts the upstream with its code (CANCEL)', async (t) => {
  const r = await h2Router(t, (d) => d.handler.onHeaders(200, [], () => undefined))
  const c = h2Client(t, r.url)
  const s = c.request({ ':authority': 'users', ':path': '/long' })
  s.on('error', () => undefined)
  await new Promise((resolve) => s.once('response', resolve))
  s.close(constants.NGHTTP2_CANCEL)
  t.true(await until(() => r.dispatched[0]?.aborted !== undefined))
  const err = r.dispatched[0]?.aborted
  t.true(err instanceof ClientResetError)
  t.is((err as ClientResetError).rstCode, constants.NGHTTP2_CANCEL)
  t.true(await until(() => r.server.counter('stream/resets_received').value === 1))
  t.true(await until(() => r.server.failures === 1 && r.server.pending === 0))
})

test("an upstream reset after the head resets the client's stream with its code", async (t) => {
  const r = await h2Router(t, (d) => {
    d.handler.onHeaders(200, [], () => undefined)
    d.handler.onData(Buffer.from('part'))
    setTimeout(() => {
      const code = d.request.path === '/reset' ? constants.NGHTTP2_ENHANCE_YOUR_CALM : undefined
      d.handler.onError(
        code === undefined ? new Error('broken') : new StreamResetError(code, 'reset by endpoint'),
      )
    }, 20)
  })
  const c = h2Client(t, r.url)
  t.is((await exchange(c, { ':path': '/reset' })).rstCode, constants.NGHTTP2_ENHANCE_YOUR_CALM)
  t.is((await exchange(c, { ':path': '/other' })).rstCode, constants.NGHTTP2_INTERNAL_ERROR)
  t.is(r.server.counter('stream/resets_sent').value, 2)
})

test('a slow reader pauses the upstream (bounded memory) and the answer completes', async (t) => {
  const chunk = randomBytes(16_384)
  const total = 200
  let written = 0
  let pausedAt = -1
  const r = await h2Router(t, (d) => {
    const pump = (): void => {
      while (written < total) {
        written++
        if (!d.handler.onData(chunk)) {
          if (pausedAt < 0) pausedAt = written
          return
        }
      }
      d.handler.onComplete()
    }
    d.handler.onHeaders(200, [], pump)
    pump()
  })
  const c = h2Client(t, r.url)
  const s = c.request({ ':authority': 'users', ':path': '/big' }, { endStream: true })
  s.pause()
  // Until the router paused the upstream (a loaded machine may take longer than a fixed wait to
  // get the request there); then a while more, in which nothing more may be written.
  await eventually('the upstream paused', () => pausedAt > 0, 10_000, 20)
  await new Promise((resolve) => setTimeout(resolve, 200))
  t.true(pausedAt > 0, 'the upstream was paused')
  t.true(written < 32, `${written} chunks written before the client read any`)
  const done = answerOf(s)
  s.resume()
  const a = await done
  t.is(a.body.length, total * chunk.length)
  t.is(written, total)
})
