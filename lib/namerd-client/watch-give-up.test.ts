/**
 * What namerctl needs of NamerdWatch beyond the router's use: its own headers, the line as
 * namerd sent it, https:, and `retryIf` / `onGiveUp` to end the watch on a failure.
 */
import test, { type ExecutionContext } from 'ava'
import { eventually } from '../../testing/eventually.js'
import { freePort } from '../../testing/free-port.js'
import { rawServer, recordWatch, type RawHandler } from '../../testing/namerd-client/raw-server.js'
import type { WatchFailure } from './connection.js'

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

async function serve(t: ExecutionContext, handle: RawHandler) {
  const server = await rawServer(handle)
  t.teardown(() => server.close())
  return server
}

test('headers are sent as given; onValue gets each document and its line as sent', async (t) => {
  const accepts: (string | undefined)[] = []
  const server = await serve(t, (req, res) => {
    accepts.push(req.headers.accept)
    res.writeHead(200)
    res.write('{"version":"djE=", "dtab":[]}\n')
  })
  const lines: string[] = []
  const w = recordWatch(t, {
    url: server.url(),
    headers: { accept: 'application/vnd.namerd.versioned+json' },
    onValue: (doc, line) => lines.push(`${JSON.stringify(doc)} ${line}`),
  })
  await eventually('a document', () => lines.length === 1)
  t.deepEqual(accepts, ['application/vnd.namerd.versioned+json'])
  t.deepEqual(lines, ['{"version":"djE=","dtab":[]} {"version":"djE=", "dtab":[]}'])
  t.is(w.watch.state().state, 'open')
})

test('retryIf false on a refusal: closed at once, then onGiveUp with the status and body', async (t) => {
  const server = await serve(t, (_req, res) => {
    res.writeHead(404, 'Not Found')
    res.end('no such namespace: x\n')
  })
  const given: WatchFailure[] = []
  const order: string[] = []
  const w = recordWatch(t, {
    url: server.url(),
    retryIf: (f) => f.kind !== 'refused',
    onState: (s) => order.push(s.state),
    onGiveUp: (f) => (given.push(f), order.push('gave up')),
  })
  await eventually('given up', () => given.length === 1)
  t.deepEqual(given, [
    {
      kind: 'refused',
      reason: 'namerd answered 404 Not Found: no such namespace: x',
      status: 404,
      statusText: 'Not Found',
      body: 'no such namespace: x',
    },
  ])
  t.deepEqual(order, ['closed', 'gave up'])
  t.like(w.watch.state(), { state: 'closed', lastError: given[0]?.reason })
  await sleep(100)
  t.is(server.requests(), 1, 'no reconnection')
  await eventually('the socket closed', () => server.openSockets() === 0)
})

test('retryIf sees each failure: unreachable (timed out or not), refused, broken', async (t) => {
  const port = await freePort()
  const seen: WatchFailure[] = []
  const refused = recordWatch(t, {
    url: `http://127.0.0.1:${port}/`,
    retryIf: (f) => (seen.push(f), false),
  })
  await eventually('given up', () => refused.watch.state().state === 'closed')
  t.like(seen[0], { kind: 'unreachable', timedOut: false })
  t.regex(seen[0]?.reason ?? '', /ECONNREFUSED/)

  const silent = await serve(t, () => undefined)
  const failures: WatchFailure[] = []
  const w = recordWatch(t, {
    url: silent.url(),
    openTimeoutMs: 100,
    retryIf: (f) => (failures.push(f), false),
  })
  await eventually('given up', () => w.watch.state().state === 'closed')
  t.deepEqual(failures, [
    { kind: 'unreachable', reason: 'no answer within 100 ms', timedOut: true },
  ])

  const ending = await serve(t, (_req, res) => {
    res.writeHead(200)
    res.end('[1]\n')
  })
  const broken: WatchFailure[] = []
  const e = recordWatch(t, { url: ending.url(), retryIf: (f) => (broken.push(f), false) })
  await eventually('given up', () => e.watch.state().state === 'closed')
  t.deepEqual(e.values, [[1]])
  t.deepEqual(broken, [{ kind: 'broken', reason: 'the stream ended' }])
})

test('an https: URL speaks TLS (to a plain HTTP server the handshake fails, and is retried)', async (t) => {
  const server = await serve(t, (_req, res) => res.end('[1]\n'))
  const w = recordWatch(t, { url: server.url().replace(/^http:/, 'https:') })
  await eventually('a failed attempt', () => w.watch.state().attempts >= 1)
  t.deepEqual(w.values, [])
  t.regex(w.watch.state().lastError ?? '', /SSL|TLS|EPROTO|wrong version/i)
})
