import test from 'ava'
import { request, type IncomingHttpHeaders } from 'node:http'
import { ControllableBackend } from './controllable.js'
import { BackendProcess } from './process.js'

interface Answer {
  readonly status: number
  readonly headers: IncomingHttpHeaders
  readonly body: string
}

/** One request on a new connection; rejects with the socket error (ECONNREFUSED, ECONNRESET). */
function send(port: number, method = 'GET', body?: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request({ port, host: '127.0.0.1', method, agent: false }, (res) => {
      let text = ''
      res.setEncoding('utf8')
      res.on('data', (d: string) => (text += d))
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }),
      )
    })
    req.setTimeout(20_000, () => req.destroy(new Error('no answer within 20 s')))
    req.on('error', reject)
    req.end(body)
  })
}

const code = (e: unknown): string | undefined => (e as NodeJS.ErrnoException).code

async function started(t: import('ava').ExecutionContext): Promise<ControllableBackend> {
  const b = await ControllableBackend.start({ name: 'b1' })
  t.teardown(() => b.close())
  return b
}

test('ok answers 200 naming the backend, and counts by method and status', async (t) => {
  const b = await started(t)
  const get = await send(b.port)
  t.is(get.status, 200)
  t.is(get.body, 'b1')
  t.is(get.headers['x-backend'], 'b1')
  t.is((await send(b.port, 'POST', 'x'.repeat(10_000))).status, 200)
  t.deepEqual(b.counts(), {
    requests: 2,
    byMethod: { GET: 1, POST: 1 },
    byStatus: { 200: 2 },
    resets: 0,
  })
  b.resetCounts()
  t.is(b.counts().requests, 0)
})

test('a POST is answered only once its whole body arrived', async (t) => {
  const b = await started(t)
  let answered = false
  const req = request({ port: b.port, host: '127.0.0.1', method: 'POST', agent: false })
  const done = new Promise<number>((resolve, reject) => {
    req.on('response', (res) => {
      answered = true
      res.resume()
      resolve(res.statusCode ?? 0)
    })
    req.on('error', reject)
  })
  done.catch(() => undefined) // a failed assertion below must not leave the socket's reset unhandled
  req.write('first part')
  // On a loaded machine the head may take a while to arrive: wait for it (20 s at most).
  for (let i = 0; i < 200 && b.counts().requests === 0; i++)
    await new Promise((r) => setTimeout(r, 100))
  t.is(b.counts().requests, 1)
  await new Promise((r) => setTimeout(r, 300))
  t.false(answered)
  req.end('last part')
  t.is(await done, 200)
})

test('refuse stops listening; ok listens again on the same port', async (t) => {
  const b = await started(t)
  await b.setMode({ kind: 'refuse' })
  const refused = await send(b.port).catch(code)
  t.is(refused, 'ECONNREFUSED')
  await b.setMode({ kind: 'ok' })
  t.is((await send(b.port)).body, 'b1')
})

test('reset resets connections before any byte, new and already open', async (t) => {
  const b = await started(t)
  await b.setMode({ kind: 'reset' })
  t.is(await send(b.port).catch(code), 'ECONNRESET')
  t.is(b.counts().requests, 0)
  t.true(b.counts().resets >= 1)
  await b.setMode({ kind: 'ok' })
  t.is((await send(b.port)).status, 200)
})

test('reset also resets a keep-alive connection open when it is set', async (t) => {
  const b = await started(t)
  const req = request({ port: b.port, host: '127.0.0.1', method: 'POST', agent: false })
  const failed = new Promise<string | undefined>((resolve) =>
    req.on('error', (e) => resolve(code(e))),
  )
  req.write('a body never finished')
  await new Promise((r) => setTimeout(r, 100))
  await b.setMode({ kind: 'reset' })
  t.is(await failed, 'ECONNRESET')
})

test('delay answers 200 after the given time', async (t) => {
  const b = await started(t)
  await b.setMode({ kind: 'delay', ms: 300 })
  const begun = Date.now()
  t.is((await send(b.port)).status, 200)
  // Timers never fire early (a little slack for clock granularity); no upper bound.
  t.true(Date.now() - begun >= 280)
})

test('fail with every: exactly every k-th request gets the status, with l5d-retryable if asked', async (t) => {
  const b = await started(t)
  await b.setMode({ kind: 'fail', every: 3, status: 500, retryable: true })
  const answers: Answer[] = []
  for (let i = 0; i < 6; i++) answers.push(await send(b.port))
  t.deepEqual(
    answers.map((a) => a.status),
    [200, 200, 500, 200, 200, 500],
  )
  t.is(answers[2]?.headers['l5d-retryable'], 'true')
  t.is(answers[0]?.headers['l5d-retryable'], undefined)
  t.deepEqual(b.counts().byStatus, { 200: 4, 500: 2 })
})

test('fail with a fraction fails about that share, 503 by default', async (t) => {
  const b = await started(t)
  await b.setMode({ kind: 'fail', fraction: 0.5 })
  const statuses: number[] = []
  for (let i = 0; i < 200; i++) statuses.push((await send(b.port)).status)
  const failed = statuses.filter((s) => s === 503).length
  // Binomial(200, 0.5): 100 ± 7 (one standard deviation); these bounds are 7 deviations away.
  t.true(failed > 50 && failed < 150, `${failed} of 200`)
  t.is(failed + statuses.filter((s) => s === 200).length, 200)
})

test('the process form is controlled over IPC, killed, and restarted on the same port', async (t) => {
  const p = await BackendProcess.start({ name: 'proc', mode: { kind: 'fail', every: 1 } })
  t.teardown(() => p.stop())
  t.is((await send(p.port)).status, 503)
  await p.setMode({ kind: 'ok' })
  t.is((await send(p.port, 'POST', 'body')).body, 'proc')
  t.deepEqual(await p.counts(), {
    requests: 2,
    byMethod: { GET: 1, POST: 1 },
    byStatus: { 200: 1, 503: 1 },
    resets: 0,
  })
  await p.kill()
  t.false(p.running)
  t.is(await send(p.port).catch(code), 'ECONNREFUSED')
  await p.restart()
  t.is((await send(p.port)).body, 'proc')
  t.is((await p.counts()).requests, 1)
})
