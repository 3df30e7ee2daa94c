/**
 * NamerdWatch against raw node:http servers: what a stream may carry (documents cut anywhere,
 * heartbeats, error lines, repeats) and what breaks a connection (a line that is not JSON, the
 * end of the stream, a line over 16 MiB).
 */
import test from 'ava'
import { eventually } from '../../testing/eventually.js'
import { rawServer, recordWatch, writeInPieces } from '../../testing/namerd-client/raw-server.js'
import { MAX_LINE_BYTES } from './protocol.js'

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

test('documents split at odd byte boundaries, heartbeats, an error line, the recovery after it', async (t) => {
  const text =
    '[1]\n\n{"name":"é ü €"}\n\n\n{"error":{"code":"ERR_MAX_DEPTH","message":"too deep"}}\n' +
    '{"name":"é ü €"}\n\n[2]\r\n[2]\n[3]\n'
  const asked: string[] = []
  const server = await rawServer((req, res) => {
    asked.push(`${req.method} ${req.url} ${req.headers.accept}`)
    res.writeHead(200)
    void writeInPieces(res, text, [1, 2, 3, 5, 7, 11, 13])
  })
  t.teardown(() => server.close())
  const w = recordWatch(t, { url: server.url() })
  await eventually('[3]', () => w.values.length >= 5)
  t.deepEqual(asked, ['GET /api/1/dtabs/default?watch=true application/json'])
  await sleep(50)
  t.deepEqual(w.values, [[1], { name: 'é ü €' }, { name: 'é ü €' }, [2], [3]])
  t.deepEqual(w.errors, [{ code: 'ERR_MAX_DEPTH', message: 'too deep' }])
  t.deepEqual(
    w.states.map((s) => s.state),
    ['open'],
  )
  t.is(server.requests(), 1)
})

test('a line that is not JSON, then the end of the stream: reconnects each time, no repeat', async (t) => {
  const server = await rawServer((_req, res, n) => {
    res.writeHead(200)
    if (n === 1) res.write('[1]\nnot json\n')
    if (n === 2) res.end('[1]\n[2]\n')
    if (n === 3) res.write('[2]\n[3]\n')
  })
  t.teardown(() => server.close())
  const w = recordWatch(t, { url: server.url() })
  await eventually('[3]', () => w.values.length >= 3)
  t.deepEqual(w.values, [[1], [2], [3]])
  t.deepEqual(
    w.states.filter((s) => s.state === 'retrying').map((s) => [s.lastError, s.attempts]),
    [
      ['not JSON: not json', 1],
      ['the stream ended', 1],
    ],
    'each connection delivered a document first, so the attempts restart from 1',
  )
  t.like(w.watch.state(), { state: 'open', attempts: 0 })
  t.is(server.requests(), 3)
  await eventually('the client closed the bad connection', () => server.openSockets() === 1)
})

test('a line longer than 16 MiB is a protocol error: reconnects', async (t) => {
  const server = await rawServer((_req, res, n) => {
    res.writeHead(200)
    if (n === 1) res.write(Buffer.alloc(MAX_LINE_BYTES + 1, 0x78))
    else res.write('[1]\n')
  })
  t.teardown(() => server.close())
  const w = recordWatch(t, { url: server.url() })
  await eventually('[1]', () => w.values.length >= 1)
  t.deepEqual(w.values, [[1]])
  t.is(w.states.find((s) => s.state === 'retrying')?.lastError, 'a line longer than 16777216 bytes')
  t.is(server.requests(), 2)
})
