import test, { type ExecutionContext } from 'ava'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { requestUrl, send, type Namerd } from './client.js'
import { createDtab, listDtabs, readDtab, updateDtab } from './dtab-api.js'
import { exitStatusOf } from './exit.js'

type Handler = (req: IncomingMessage, body: string, res: ServerResponse) => void

/** A loopback HTTP server on port 0 answering with `handler`; closed after the test. */
async function server(t: ExecutionContext, handler: Handler): Promise<string> {
  const s = createServer((req, res) => {
    let body = ''
    req.on('data', (d: Buffer) => (body += d.toString()))
    req.on('end', () => handler(req, body, res))
  })
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve))
  t.teardown(async () => {
    const closed = new Promise<void>((resolve) => s.close(() => resolve()))
    s.closeAllConnections()
    await closed
  })
  return `http://127.0.0.1:${(s.address() as AddressInfo).port}`
}

async function failure(p: Promise<unknown>): Promise<{ exit: number; message: string }> {
  try {
    await p
  } catch (e) {
    return { exit: exitStatusOf(e), message: (e as Error).message }
  }
  throw new Error('expected a failure')
}

test('requests keep the base path and encode names and query values', async (t) => {
  const seen: string[] = []
  const base = await server(t, (req, _body, res) => {
    seen.push(req.url ?? '')
    res.setHeader('content-type', 'application/json')
    res.end('[]')
  })
  const namerd: Namerd = { base: `${base}/prefix`, timeoutMs: 2000 }
  await listDtabs(namerd)
  await readDtab(namerd, 'a b')
  t.deepEqual(seen, ['/prefix/api/1/dtabs', '/prefix/api/1/dtabs/a%20b'])
  t.is(
    requestUrl(namerd, { path: 'bind/default', query: { path: '/svc/a b', dtab: undefined } }),
    `${base}/prefix/api/1/bind/default?path=%2Fsvc%2Fa+b`,
  )
})

test('reads the version from the ETag, writes dtab text with If-Match', async (t) => {
  const seen: { method: string; headers: IncomingMessage['headers']; body: string }[] = []
  const base = await server(t, (req, body, res) => {
    seen.push({ method: req.method ?? '', headers: req.headers, body })
    if (req.method === 'GET') {
      res.setHeader('etag', 'AAAAAAAAAAI=')
      res.end('[{"prefix":"/a","dst":"/b"}]')
    } else res.writeHead(204).end()
  })
  const namerd = { base, timeoutMs: 2000 }
  t.deepEqual(await readDtab(namerd, 'default'), {
    version: 'AAAAAAAAAAI=',
    dtab: [{ prefix: '/a', dst: '/b' }],
  })
  t.is(await updateDtab(namerd, 'default', '/a => /c;\n', 'AAAAAAAAAAI='), 'updated')
  t.is(await updateDtab(namerd, 'default', '/a => /c;\n', undefined), 'updated')
  t.is(seen[0]?.headers.accept, 'application/json')
  t.is(seen[1]?.method, 'PUT')
  t.is(seen[1]?.headers['if-match'], 'AAAAAAAAAAI=')
  t.is(seen[1]?.headers['content-type'], 'application/dtab')
  t.is(seen[1]?.body, '/a => /c;\n')
  t.is(seen[2]?.headers['if-match'], undefined, 'no version: no If-Match')
})

test('expected negatives are values: absent (404), exists (409), changed (412)', async (t) => {
  const base = await server(t, (req, _body, res) => {
    const status = req.method === 'GET' ? 404 : req.method === 'POST' ? 409 : 412
    res.writeHead(status).end()
  })
  const namerd = { base, timeoutMs: 2000 }
  t.is(await readDtab(namerd, 'x'), 'absent')
  t.is(await createDtab(namerd, 'x', ''), 'exists')
  t.is(await updateDtab(namerd, 'x', '', 'v'), 'changed')
})

test('a refused connection is exit 3, naming the base URL', async (t) => {
  const base = await server(t, (_req, _body, res) => res.end())
  const closed = await new Promise<string>((resolve) => {
    const s = createServer()
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as AddressInfo).port
      s.close(() => resolve(`http://127.0.0.1:${port}`))
    })
  })
  t.not(closed, base)
  const f = await failure(send({ base: closed, timeoutMs: 2000 }, { path: 'dtabs' }))
  t.is(f.exit, 3)
  t.true(f.message.startsWith(`cannot reach namerd at ${closed}: `), f.message)
  t.regex(f.message, /ECONNREFUSED/)
})

test('a namerd that does not answer in time is exit 3 after the timeout, not later', async (t) => {
  const base = await server(t, () => undefined) // never answers
  const started = Date.now()
  const f = await failure(send({ base, timeoutMs: 300 }, { path: 'dtabs' }))
  const took = Date.now() - started
  t.is(f.exit, 3)
  t.is(f.message, `namerd at ${base} did not answer within 300 ms`)
  t.true(took >= 250 && took < 5000, `${took} ms`)
})

test('a body that is not what namerd sends is an unexpected response (exit 9)', async (t) => {
  const base = await server(t, (_req, _body, res) => res.end('{"not":"a list"}'))
  const namerd = { base, timeoutMs: 2000 }
  t.is((await failure(listDtabs(namerd))).exit, 9)
  t.is((await failure(readDtab(namerd, 'x'))).exit, 9)
})
