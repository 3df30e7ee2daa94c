/**
 * Bodies through the real router, both ways: large request and response bodies with
 * content-length, chunked request bodies, responses streamed as they are written (never
 * buffered whole), and the bodiless cases (HEAD, 204).
 */
import test from 'ava'
import { createHash } from 'node:crypto'
import { connect } from 'node:net'
import { Readable } from 'node:stream'
import { request } from 'undici'
import { backend, client, disco, startRouter, tempDir } from '../../testing/router/process.js'
import type { IncomingMessage, ServerResponse } from 'node:http'

type Handler = (req: IncomingMessage, res: ServerResponse, name: string) => void

async function routerTo(t: import('ava').ExecutionContext, handler: Handler) {
  const svc = await backend(t, 'svc', handler)
  const dir = tempDir(t)
  const r = await startRouter(t, dir, {
    namers: [{ kind: 'io.l5d.fs', rootDir: disco(dir, { svc: [svc] }) }],
    routers: [{ protocol: 'http', dtab: '/svc => /#/io.l5d.fs' }],
  })
  return { url: `http://127.0.0.1:${r.port}`, agent: client(t) }
}

const sha = (b: Buffer | string): string => createHash('sha256').update(b).digest('hex')

/** Answers with the request body's length, digest and framing, then the body itself. */
const mirror: Handler = (req, res) => {
  const parts: Buffer[] = []
  req.on('data', (c: Buffer) => parts.push(c))
  req.on('end', () => {
    const body = Buffer.concat(parts)
    res.writeHead(200, {
      'x-length': String(body.length),
      'x-sha': sha(body),
      'x-framing': req.headers['transfer-encoding'] ?? `length ${req.headers['content-length']}`,
    })
    res.end(body)
  })
}

test('a 4 MiB request body and its 4 MiB echo pass through intact', async (t) => {
  const { url, agent } = await routerTo(t, mirror)
  const body = Buffer.alloc(4 << 20, 'abcdefgh')
  const r = await request(`${url}/upload`, {
    dispatcher: agent,
    method: 'POST',
    headers: { host: 'svc' },
    body,
  })
  const back = Buffer.from(await r.body.arrayBuffer())
  t.is(r.statusCode, 200)
  t.is(r.headers['x-framing'], `length ${4 << 20}`)
  t.is(r.headers['x-sha'], sha(body))
  t.is(back.length, body.length)
  t.is(sha(back), sha(body))
})

test('a chunked request body arrives whole, still chunked', async (t) => {
  const { url, agent } = await routerTo(t, mirror)
  const pieces = ['one,', 'two,', 'x'.repeat(100_000), ',three']
  const r = await request(`${url}/chunks`, {
    dispatcher: agent,
    method: 'POST',
    headers: { host: 'svc' },
    body: Readable.from(pieces.map((p) => Buffer.from(p))),
  })
  t.is(r.statusCode, 200)
  t.is(r.headers['x-framing'], 'chunked')
  t.is(await r.body.text(), pieces.join(''))
})

test('a streamed response reaches the client chunk by chunk, not buffered whole', async (t) => {
  let release: () => void = () => {}
  const released = new Promise<void>((r) => (release = r))
  const { url, agent } = await routerTo(t, (req, res) => {
    req.resume()
    res.writeHead(200, { 'content-type': 'text/plain' })
    res.write('first;')
    void released.then(() => res.end('second'))
  })
  const r = await request(`${url}/stream`, { dispatcher: agent, headers: { host: 'svc' } })
  const chunks: string[] = []
  for await (const c of r.body) {
    chunks.push(c.toString())
    // The backend sends the rest only once the first part has come through the router.
    if (chunks.join('') === 'first;') release()
  }
  t.is(chunks.join(''), 'first;second')
  t.true(chunks.length >= 2)
})

test('HEAD and 204 carry no body; the connection stays usable after them', async (t) => {
  const { url, agent } = await routerTo(t, (req, res) => {
    req.resume()
    if (req.url === '/empty') return void res.writeHead(204).end()
    res.writeHead(200, { 'content-length': '5', 'content-type': 'text/plain' })
    res.end(req.method === 'HEAD' ? undefined : 'hello')
  })
  const head = await request(`${url}/x`, {
    dispatcher: agent,
    method: 'HEAD',
    headers: { host: 'svc' },
  })
  t.is(head.statusCode, 200)
  t.is(head.headers['content-length'], '5')
  t.is(await head.body.text(), '')
  const empty = await request(`${url}/empty`, { dispatcher: agent, headers: { host: 'svc' } })
  t.is(empty.statusCode, 204)
  t.is(await empty.body.text(), '')
  const get = await request(`${url}/x`, { dispatcher: agent, headers: { host: 'svc' } })
  t.is(await get.body.text(), 'hello')
})

const statuses = (out: string): string[] =>
  [...out.matchAll(/HTTP\/1\.1 (\d{3}) /g)].map((m) => m[1] as string)

/**
 * Writes `parts` on one connection, a pause after each, then ends it once `expected` responses
 * have come back (or after 10 s, a loose bound that catches a hang); what came back.
 */
function onOneConnection(
  port: number,
  parts: readonly string[],
  expected: number,
): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1')
    let out = ''
    socket.on('data', (d: Buffer) => (out += d.toString('latin1')))
    socket.on('error', () => undefined)
    socket.on('close', () => resolve(out))
    void (async () => {
      for (const part of parts) {
        socket.write(part)
        await new Promise((r) => setTimeout(r, 150))
      }
      const deadline = Date.now() + 10_000
      while (statuses(out).length < expected && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 20))
      socket.end()
    })()
  })
}

test('a POST answered by an error or early leaves its connection ready for the next request', async (t) => {
  const web = await backend(t, 'web')
  const early = await backend(t, 'early', (_req, res) => res.writeHead(413).end())
  const hang = await backend(t, 'hang', () => undefined)
  const dir = tempDir(t)
  const to = (b: { port: number }): string => `/$/inet/127.0.0.1/${b.port}`
  const r = await startRouter(t, dir, {
    routers: [
      {
        protocol: 'http',
        dtab: `/svc/web=>${to(web)}; /svc/down=>${to({ port: 1 })}; /svc/early=>${to(early)}; /svc/hang=>${to(hang)}`,
        // Only the hanging service times out: a loaded machine must not fail the others.
        service: {
          kind: 'io.l5d.static',
          configs: [{ prefix: '/svc/hang', totalTimeoutMs: 200 }],
        },
      },
    ],
  })
  const get = 'GET / HTTP/1.1\r\nHost: web\r\n\r\n'
  const post = (host: string, length: number): string =>
    `POST / HTTP/1.1\r\nHost: ${host}\r\nContent-Length: ${length}\r\n\r\n`
  const [down, answeredEarly, timedOut, pipelined] = await Promise.all([
    onOneConnection(
      r.port,
      [post('down', 100_000) + 'x'.repeat(1000), 'y'.repeat(99_000) + get],
      2,
    ),
    onOneConnection(
      r.port,
      [post('early', 100_000) + 'x'.repeat(1000), 'y'.repeat(99_000) + get],
      2,
    ),
    onOneConnection(r.port, [post('hang', 10) + '0123456789' + get], 2),
    onOneConnection(
      r.port,
      [`HEAD / HTTP/1.1\r\nHost: nobody\r\n\r\n${post('down', 3)}abc${get}`],
      3,
    ),
  ])
  t.deepEqual(statuses(down), ['502', '200'], down)
  t.deepEqual(statuses(answeredEarly), ['413', '200'], answeredEarly)
  t.deepEqual(statuses(timedOut), ['503', '200'], timedOut)
  t.deepEqual(statuses(pipelined), ['502', '502', '200'], pipelined)
})
