/**
 * NamerdWatch over real sockets: against namerd's own API (stopped and restarted on the same
 * port), and against raw node:http servers that misbehave in each way the client must survive.
 */
import test from 'ava'
import { readDtab } from '../../dtabs/index.js'
import { startApi } from '../../namerd/api/server.js'
import { memoryContext } from '../../testing/namerd/memory-context.js'
import { eventually } from '../../testing/eventually.js'
import { rawServer, recordWatch, writeInPieces } from '../../testing/router/namerd-watch.js'
import { MAX_LINE_BYTES } from '../../router/interpreters/namerd-http/watch.js'

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))
const dtab = (dst: string): unknown => [{ prefix: '/a', dst }]
const watchUrl = (port: number): string => `http://127.0.0.1:${port}/api/1/dtabs/default?watch=true`

test('namerd: the current dtab first, then each change, no repeat; heartbeats keep it open', async (t) => {
  const cx = { ...memoryContext({ default: '/a=>/b' }), watch: { heartbeatMs: 50 } }
  const api = await startApi(cx, { ip: '127.0.0.1', port: 0 })
  t.teardown(() => api.close())
  const w = recordWatch(t, { url: watchUrl(api.port), deadAfterMs: 500 })
  await eventually('the first dtab', () => w.values.length === 1)
  t.deepEqual(w.values, [dtab('/b')])
  await cx.store.put('default', readDtab('/a=>/c'))
  await eventually('the second dtab', () => w.values.length === 2)
  await cx.store.put('default', readDtab('/a=>/c'))
  await cx.store.put('default', readDtab('/a=>/d'))
  await eventually('the third dtab', () => w.values.length === 3)
  const opened = w.watch.state()
  await sleep(1200)
  t.deepEqual(w.values, [dtab('/b'), dtab('/c'), dtab('/d')])
  t.deepEqual(
    w.states.map((s) => s.state),
    ['open'],
    'no reconnection: heartbeats every 50 ms kept a 500 ms deadline from expiring',
  )
  t.like(w.watch.state(), { state: 'open', since: opened.since, attempts: 0 })
  t.true((w.watch.state().lastValueAt ?? 0) >= opened.since)
})

test('namerd restarted on the same port: reconnects, delivers a changed dtab, not an unchanged one', async (t) => {
  const cx = memoryContext({ default: '/a=>/b' })
  let api = await startApi(cx, { ip: '127.0.0.1', port: 0 })
  const port = api.port
  t.teardown(() => api.close())
  const w = recordWatch(t, { url: watchUrl(port), retry: { baseMs: 20, maxMs: 100 } })
  await eventually('the first dtab', () => w.values.length === 1)
  /** Stops namerd, changes the dtab (if `dst`) while it is down, starts it on the same port. */
  const restart = async (dst?: string): Promise<number> => {
    const from = w.states.length
    await api.close()
    await eventually('retrying', () => w.watch.state().state === 'retrying')
    if (dst !== undefined) await cx.store.put('default', readDtab(`/a=>${dst}`))
    await sleep(150)
    api = await startApi(cx, { ip: '127.0.0.1', port })
    return from
  }

  const first = await restart('/c')
  await eventually('the changed dtab', () => w.values.length === 2)
  t.deepEqual(w.values, [dtab('/b'), dtab('/c')])
  const seen = w.states.slice(first).map((s) => s.state)
  t.is(seen[0], 'retrying')
  t.is(seen.at(-1), 'open')
  t.true(seen.includes('connecting'))
  t.true((w.states[first]?.lastError ?? '').length > 0, 'the failure is in lastError')

  const second = await restart()
  await eventually(
    'the unchanged dtab, received and skipped (attempts back to 0)',
    () => w.watch.state().state === 'open' && w.watch.state().attempts === 0,
  )
  await sleep(100)
  t.deepEqual(w.values, [dtab('/b'), dtab('/c')], 'the unchanged dtab was not delivered again')
  t.true(w.states.slice(second).some((s) => s.state === 'retrying' && s.attempts >= 1))
})

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

test('heartbeats keep a stream alive; no byte for deadAfterMs is a dead connection', async (t) => {
  const started: number[] = []
  const server = await rawServer((_req, res, n) => {
    started.push(Date.now())
    res.writeHead(200)
    res.write(`[${n}]\n`)
    let beats = 0
    const heartbeat = setInterval(() => {
      if (n === 1 && ++beats > 8) return clearInterval(heartbeat)
      res.write('\n')
    }, 100)
    res.on('close', () => clearInterval(heartbeat))
  })
  t.teardown(() => server.close())
  const w = recordWatch(t, { url: server.url(), deadAfterMs: 500 })
  await eventually('[2]', () => w.values.length >= 2)
  t.deepEqual(w.values, [[1], [2]])
  const [first = 0, second = 0] = started
  t.true(second - first >= 800 + 500 - 50, `reconnected after ${second - first} ms`)
  t.regex(w.watch.state().lastError ?? '', /^no byte for 500 ms$/)
  await eventually('the dead connection closed', () => server.openSockets() === 1)
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

test('404 (no such namespace) keeps retrying with the status in lastError; then 200 opens', async (t) => {
  let fixed = false
  const server = await rawServer((_req, res) => {
    if (fixed) {
      res.writeHead(200)
      res.write('[{"prefix":"/a","dst":"/b"}]\n')
    } else {
      res.writeHead(404, { 'content-type': 'text/plain' })
      res.end('no such namespace: default\n')
    }
  })
  t.teardown(() => server.close())
  const w = recordWatch(t, { url: server.url(), retry: { baseMs: 10, maxMs: 20 } })
  await eventually('three refusals', () => server.requests() >= 3)
  const refused = w.states.filter((s) => s.state === 'retrying')
  t.true(refused.length >= 2)
  t.like(refused[0], {
    attempts: 1,
    lastError: 'namerd answered 404 Not Found: no such namespace: default',
  })
  t.like(refused[1], { attempts: 2 })
  t.deepEqual(w.values, [])
  fixed = true
  await eventually('open with the dtab', () => w.values.length === 1)
  t.deepEqual(w.values, [dtab('/b')])
  t.like(w.watch.state(), { state: 'open', attempts: 0 })
  t.regex(w.watch.state().lastError ?? '', /404/, 'the last failure is kept after the recovery')
})

test('a server that accepts but never answers is left after openTimeoutMs, not deadAfterMs', async (t) => {
  const server = await rawServer((_req, res, n) => {
    if (n === 1) return // never answers the first request
    res.writeHead(200)
    res.write('[2]\n')
  })
  t.teardown(() => server.close())
  const w = recordWatch(t, { url: server.url(), openTimeoutMs: 300, deadAfterMs: 60_000 })
  await eventually('[2]', () => w.values.length >= 1, 10_000)
  t.deepEqual(w.values, [[2]])
  t.is(w.states.find((s) => s.state === 'retrying')?.lastError, 'no answer within 300 ms')
  t.is(server.requests(), 2)
})
