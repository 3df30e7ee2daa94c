/**
 * NamerdWatch against raw node:http servers that fail it: silence after the head (heartbeats
 * keep it alive, none is a dead connection), a refusal, no answer at all.
 */
import test from 'ava'
import { eventually } from '../../testing/eventually.js'
import { rawServer, recordWatch } from '../../testing/namerd-client/raw-server.js'

const dtab = (dst: string): unknown => [{ prefix: '/a', dst }]

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
