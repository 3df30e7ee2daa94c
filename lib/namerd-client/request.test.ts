/** `send` against raw node:http servers: any status is a value; no answer is UnreachableError. */
import test, { type ExecutionContext } from 'ava'
import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { freePort } from '../../testing/free-port.js'
import { rawServer, type RawHandler } from '../../testing/namerd-client/raw-server.js'
import { send, UnreachableError } from './request.js'

async function serve(t: ExecutionContext, handle: RawHandler): Promise<string> {
  const server = await rawServer(handle)
  t.teardown(() => server.close())
  return server.url('/api/1/dtabs/x')
}

/** The rejection of `p`, which must be an UnreachableError. */
async function unreachable(t: ExecutionContext, p: Promise<unknown>): Promise<UnreachableError> {
  const e = await t.throwsAsync(p, { instanceOf: UnreachableError })
  t.is(e?.code, 'ERR_NAMERD_UNREACHABLE')
  return e as UnreachableError
}

test('the status, headers (lower case) and whole body come back; a text body is sent', async (t) => {
  const seen: string[] = []
  const url = await serve(t, (req, res) => {
    let body = ''
    req.on('data', (b: Buffer) => (body += b.toString()))
    req.on('end', () => {
      seen.push(`${req.method} ${req.url} ${req.headers['content-type']} ${body}`)
      res.writeHead(412, 'Precondition Failed', { ETag: 'djE=', 'Set-Cookie': ['a=1', 'b=2'] })
      res.end('dtab x has changed é\n')
    })
  })
  const headers = { 'content-type': 'application/dtab' }
  const reply = await send({ method: 'PUT', url, headers, body: '/a=>/b;', timeoutMs: 2000 })
  t.like(reply, { status: 412, statusText: 'Precondition Failed', body: 'dtab x has changed é\n' })
  t.is(reply.headers['etag'], 'djE=')
  t.is(reply.headers['set-cookie'], 'a=1, b=2')
  t.deepEqual(seen, ['PUT /api/1/dtabs/x application/dtab /a=>/b;'])
})

test('nothing listening: UnreachableError naming the host, with the network cause', async (t) => {
  const port = await freePort()
  const e = await unreachable(
    t,
    send({ url: `http://127.0.0.1:${port}/api/1/dtabs`, timeoutMs: 2000 }),
  )
  t.false(e.timedOut)
  t.is(e.host, `127.0.0.1:${port}`)
  t.regex(e.reason, /ECONNREFUSED/)
  t.is(e.message, `namerd at 127.0.0.1:${port} is unreachable: ${e.reason}`)
})

test('no answer within timeoutMs, or a body that stops half-way: timed out, not later', async (t) => {
  const silent = await serve(t, () => undefined)
  const started = Date.now()
  const e = await unreachable(t, send({ url: silent, timeoutMs: 300 }))
  const took = Date.now() - started
  t.true(e.timedOut)
  t.is(e.reason, 'no answer within 300 ms')
  t.true(took >= 250 && took < 5000, `${took} ms`)
  const halfway = await serve(t, (_req, res) => {
    res.writeHead(200)
    res.write('[{"prefix":')
  })
  t.true((await unreachable(t, send({ url: halfway, timeoutMs: 300 }))).timedOut)
})

test('a URL that is not http(s): is UnreachableError too, never a crash', async (t) => {
  const e = await unreachable(t, send({ url: 'ftp://namerd:4180/api/1/dtabs', timeoutMs: 100 }))
  t.regex(e.reason, /ftp/)
  t.false(e.timedOut)
})

test('neither send nor a watch loads undici (namerctl start-up, the router)', async (t) => {
  const url = await serve(t, (_req, res) => {
    res.writeHead(200, { etag: 'djE=' })
    res.end('[1]\n')
  })
  const index = fileURLToPath(new URL('./index.js', import.meta.url))
  const script = `
    const { send, NamerdWatch } = await import(${JSON.stringify(index)})
    const reply = await send({ url: process.argv[1], timeoutMs: 5000 })
    await new Promise((resolve) => {
      const w = new NamerdWatch({ url: process.argv[1], retry: { baseMs: 10, maxMs: 10 },
        onValue: () => { w.close(); resolve() } })
    })
    const undici = process.moduleLoadList.filter((m) => m.includes('undici'))
    console.log(JSON.stringify({ etag: reply.headers.etag, undici }))`
  const run = promisify(execFile)
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script, url])
  t.deepEqual(JSON.parse(stdout), { etag: 'djE=', undici: [] })
})
