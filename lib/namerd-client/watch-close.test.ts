/**
 * close() in each state leaves nothing behind: the server sees the socket close, no callback
 * follows, and a child process that closes its watch exits by itself (no timer or socket left).
 */
import test, { type ExecutionContext } from 'ava'
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { eventually } from '../../testing/eventually.js'
import { NamerdWatch } from './watch.js'
import {
  rawServer,
  recordWatch,
  type RawHandler,
  type RawServer,
} from '../../testing/namerd-client/raw-server.js'

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))
const child = fileURLToPath(
  new URL('../../testing/namerd-client/watch-close-child.js', import.meta.url),
)

/** Never answers. */
const hang: RawHandler = () => undefined
/** A document, then one every 10 ms until the client goes. */
const stream: RawHandler = (_req, res) => {
  res.writeHead(200)
  let n = 0
  res.write(`[${n}]\n`)
  const more = setInterval(() => res.write(`[${++n}]\n`), 10)
  res.on('close', () => clearInterval(more))
}
const notFound: RawHandler = (_req, res) => {
  res.writeHead(404)
  res.end('no such namespace\n')
}

async function serve(t: ExecutionContext, handle: RawHandler): Promise<RawServer> {
  const server = await rawServer(handle)
  t.teardown(() => server.close())
  return server
}

test('close() while connecting (the server has the request): the socket closes, then nothing', async (t) => {
  const server = await serve(t, hang)
  const w = recordWatch(t, { url: server.url() })
  await eventually('the request', () => server.requests() === 1)
  t.is(w.watch.state().state, 'connecting')
  w.watch.close()
  w.watch.close()
  await eventually('the socket closed', () => server.openSockets() === 0)
  await sleep(100)
  t.deepEqual(
    w.states.map((s) => s.state),
    ['closed'],
  )
  t.is(server.requests(), 1)
  t.is(w.watch.state().state, 'closed')
})

test('close() right after the constructor: no request survives, no callback but closed', async (t) => {
  const server = await serve(t, stream)
  const w = recordWatch(t, { url: server.url() })
  w.watch.close()
  // The server may have accepted the connection before the close: it sees it go, in its time.
  await eventually('no socket left', () => server.openSockets() === 0)
  await sleep(100)
  t.is(server.openSockets(), 0)
  t.deepEqual(w.values, [])
  t.deepEqual(
    w.states.map((s) => s.state),
    ['closed'],
  )
})

test('close() while open: the socket closes and no value follows', async (t) => {
  const server = await serve(t, stream)
  const w = recordWatch(t, { url: server.url() })
  await eventually('a few values', () => w.values.length >= 3)
  w.watch.close()
  const delivered = w.values.length
  await eventually('the socket closed', () => server.openSockets() === 0)
  await sleep(100)
  t.is(w.values.length, delivered)
  t.deepEqual(
    w.states.map((s) => s.state),
    ['open', 'closed'],
  )
})

test('close() while retrying: the retry timer is gone, no new request', async (t) => {
  const server = await serve(t, notFound)
  const w = recordWatch(t, { url: server.url(), retry: { baseMs: 50, maxMs: 50 }, random: () => 1 })
  await eventually('retrying', () => w.watch.state().state === 'retrying')
  w.watch.close()
  const requests = server.requests()
  await sleep(200)
  t.is(server.requests(), requests)
  t.deepEqual(
    w.states.map((s) => s.state),
    ['retrying', 'closed'],
  )
  t.like(w.watch.state(), { state: 'closed', attempts: 1 })
})

test('a URL that is not http(s): throws at construction, with a Node error code', (t) => {
  const options = { retry: { baseMs: 10, maxMs: 10 }, onValue: () => undefined }
  t.throws(() => new NamerdWatch({ ...options, url: 'namerd:4180' }), {
    code: 'ERR_INVALID_PROTOCOL',
  })
  t.throws(() => new NamerdWatch({ ...options, url: '/api/1/dtabs/x' }), {
    code: 'ERR_INVALID_URL',
  })
})

/** Runs the child; resolves with its exit code and output, or with code null after `ms`. */
function runChild(
  url: string,
  when: string,
  ms = 10_000,
): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [child, url, when], { stdio: ['ignore', 'pipe', 'inherit'] })
    let out = ''
    p.stdout.on('data', (b: Buffer) => (out += b.toString()))
    const timer = setTimeout(() => p.kill('SIGKILL'), ms)
    p.on('exit', (code) => {
      clearTimeout(timer)
      resolve({ code, out })
    })
  })
}

const inChild: [string, RawHandler, string[]][] = [
  ['connecting', hang, ['closed']],
  ['open', stream, ['open', 'closed']],
  ['retrying', notFound, ['retrying', 'closed']],
]
for (const [when, handle, events] of inChild) {
  test(`a process whose watch is closed while ${when} exits by itself`, async (t) => {
    const server = await serve(t, handle)
    const { code, out } = await runChild(server.url(), when)
    t.is(code, 0, 'the child exited by itself (it was killed after 10 s otherwise)')
    t.deepEqual(JSON.parse(out || '[]'), events)
    t.is(server.requests(), 1)
    await eventually('the socket closed', () => server.openSockets() === 0)
  })
}
