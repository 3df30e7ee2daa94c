// Attacks on the resilience change (issue 14): each test states the behaviour a client must see
// and fails while the router does otherwise. Raw sockets on both sides, the real router.
import test, { type ExecutionContext } from 'ava'
import { createServer, type AddressInfo, type Socket } from 'node:net'
import { freePort } from '../../testing/free-port.js'
import { adminMetrics, type RunningRouter } from '../../testing/router/process.js'
import { parseResponses, rawClient } from '../../testing/router/raw-http.js'
import { routerOver, SERVICE } from '../../testing/router/resilience.js'

/** A raw backend: `answer(socket, head, n)` for each request (n counts from 0), once its
 * content-length body (kept in `bodies`) is in. */
async function scriptedBackend(
  t: ExecutionContext,
  answer: (s: Socket, head: string, n: number) => void,
): Promise<{ port: number; heads: string[]; bodies: string[] }> {
  const heads: string[] = []
  const bodies: string[] = []
  const sockets = new Set<Socket>()
  const server = createServer((s) => {
    sockets.add(s)
    let data = ''
    s.setEncoding('latin1').on('error', () => undefined)
    s.on('close', () => sockets.delete(s))
    s.on('data', (d: string) => {
      data += d
      for (;;) {
        const end = data.indexOf('\r\n\r\n')
        if (end < 0) return
        const head = data.slice(0, end)
        if (/transfer-encoding: *chunked/i.test(head)) {
          const last = data.indexOf('\r\n0\r\n\r\n', end)
          if (last < 0) return
          bodies.push(unchunk(data.slice(end + 4, last + 2)))
          data = data.slice(last + 7)
        } else {
          const length = Number(/content-length: *(\d+)/i.exec(head)?.[1] ?? 0)
          if (data.length < end + 4 + length) return
          bodies.push(data.slice(end + 4, end + 4 + length))
          data = data.slice(end + 4 + length)
        }
        heads.push(head)
        answer(s, head, heads.length - 1)
      }
    })
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  t.teardown(() => {
    for (const s of sockets) s.destroy()
    server.close()
  })
  return { port: (server.address() as AddressInfo).port, heads, bodies }
}

/** The data of chunks `size CRLF data CRLF`…, as latin1 text. */
function unchunk(s: string): string {
  let out = ''
  for (let p = 0; p < s.length;) {
    const e = s.indexOf('\r\n', p)
    const n = parseInt(s.slice(p, e), 16)
    out += s.slice(e + 2, e + 2 + n)
    p = e + 4 + n
  }
  return out
}

/** The `pending` gauges of the router's metrics, which must all be back at 0 when idle. */
async function pendings(r: RunningRouter): Promise<Record<string, number>> {
  const m = await adminMetrics(r)
  return Object.fromEntries(Object.entries(m).filter(([k, v]) => /pending$/.test(k) && v !== 0))
}

const retryReads = {
  service: { responseClassifier: { kind: 'io.l5d.http.retryableRead5XX' } },
}

test('a GET whose response fails after its head reached the client is not retried', async (t) => {
  // The backend sends a 200 head and 10 of 100 body bytes, then drops the connection. The client
  // already has the head: a retry would answer it a second time inside the first answer's body.
  const b = await scriptedBackend(t, (s) => {
    s.write('HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\n0123456789')
    setTimeout(() => s.destroy(), 50)
  })
  const router = await routerOver(t, [b], retryReads)
  const c = await rawClient(t, router.port)
  c.socket.write(`GET /x HTTP/1.1\r\nHost: ${SERVICE}\r\n\r\n`)
  await Promise.race([c.closed, new Promise((r) => setTimeout(r, 3000))])
  const text = c.text()
  t.is(text.match(/HTTP\/1\.1 \d{3}/g)?.length, 1, `one answer, got ${JSON.stringify(text)}`)
  t.is(b.heads.length, 1, 'the backend got the request once')
  t.deepEqual(await pendings(router), {})
})

/** Sends raw `bytes` (in pieces, `gapMs` apart) and resolves with the first complete answer. */
async function ask(
  t: ExecutionContext,
  port: number,
  pieces: readonly (string | Buffer)[],
  gapMs = 0,
): Promise<{ status: number; headers: Record<string, string>; body: string }> {
  const c = await rawClient(t, port)
  for (const p of pieces) {
    c.socket.write(p)
    if (gapMs > 0) await new Promise((r) => setTimeout(r, gapMs))
  }
  const text = await c.until((s) => parseResponses(s).length >= 1)
  return parseResponses(text)[0] as {
    status: number
    headers: Record<string, string>
    body: string
  }
}

const ok = (s: Socket): void => void s.write('HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok')

test('a caller deadline 30 days ahead is a deadline, not one already passed', async (t) => {
  const b = await scriptedBackend(t, ok)
  const router = await routerOver(t, [b])
  const now = Date.now()
  const later = BigInt(now + 30 * 86_400_000) * 1_000_000n
  const head = `GET / HTTP/1.1\r\nHost: ${SERVICE}\r\nl5d-ctx-deadline: ${now}000000 ${later}\r\n\r\n`
  const r = await ask(t, router.port, [head])
  t.is(r.status, 200, JSON.stringify(r))
  t.is(b.heads.length, 1)
})

test('a caller deadline far in the future is propagated as a number', async (t) => {
  const b = await scriptedBackend(t, ok)
  const router = await routerOver(t, [b], { service: { totalTimeoutMs: 60_000 } })
  const head = `GET / HTTP/1.1\r\nHost: ${SERVICE}\r\nl5d-ctx-deadline: 0 ${'9'.repeat(40)}\r\n\r\n`
  const r = await ask(t, router.port, [head])
  t.is(r.status, 200, JSON.stringify(r))
  const sent = /l5d-ctx-deadline: (.*)/i.exec(b.heads[0] ?? '')?.[1] ?? ''
  t.regex(sent, /^\d+ \d+$/)
})

test('thousands of malformed l5d-ctx-deadline values are ignored, bounded', async (t) => {
  const b = await scriptedBackend(t, ok)
  const router = await routerOver(t, [b])
  const junk = ['x', '-1 -5', '1 NaN', ' 5', '1 1e999', '1 -0', ''].map(
    (v) => `l5d-ctx-deadline: ${v}\r\n`,
  )
  const fields = Array.from({ length: 200 }, (_, i) => junk[i % junk.length]).join('')
  const r = await ask(t, router.port, [`GET / HTTP/1.1\r\nHost: ${SERVICE}\r\n${fields}\r\n`])
  t.is(r.status, 200, JSON.stringify(r))
})

test('a POST with content-length 00 is forwarded, not left waiting for a body', async (t) => {
  const b = await scriptedBackend(t, ok)
  const router = await routerOver(t, [b])
  const head = `POST / HTTP/1.1\r\nHost: ${SERVICE}\r\ncontent-length: 00\r\n\r\n`
  const r = await ask(t, router.port, [head])
  t.is(r.status, 200, JSON.stringify(r))
})

test('a caller deadline in hex or exponent form is malformed, and ignored', async (t) => {
  // linkerd reads both numbers as decimal longs; Number() reads 0x2 as 2 ns after 1970.
  const b = await scriptedBackend(t, ok)
  const router = await routerOver(t, [b])
  for (const v of ['0x1 0x2', '1 2e3']) {
    const head = `GET / HTTP/1.1\r\nHost: ${SERVICE}\r\nl5d-ctx-deadline: ${v}\r\n\r\n`
    const r = await ask(t, router.port, [head])
    t.is(r.status, 200, `${v}: ${JSON.stringify(r)}`)
  }
})

/** `n` bytes of varied content (every byte value), as latin1 text. */
const bodyOf = (n: number): string =>
  Buffer.from(Array.from({ length: n }, (_, i) => (i * 7 + (i >> 8)) & 0xff)).toString('latin1')

/** A request with `body` sent in three writes: head, most of the body, its last byte. */
function postPieces(method: string, body: string): Buffer[] {
  const head = `${method} /up HTTP/1.1\r\nHost: ${SERVICE}\r\ncontent-length: ${body.length}\r\n\r\n`
  const all = Buffer.from(head + body, 'latin1')
  const cut = head.length + Math.max(0, body.length - 1)
  return [all.subarray(0, head.length), all.subarray(head.length, cut), all.subarray(cut)]
}

test('requeued past a refused endpoint, a POST body arrives byte-exact', async (t) => {
  const b = await scriptedBackend(t, ok)
  const dead = { port: await freePort() }
  const router = await routerOver(t, [b, dead])
  for (const n of [1, 16_383, 16_384, 100_000]) {
    const body = bodyOf(n)
    for (let i = 0; i < 4; i++) {
      const r = await ask(t, router.port, postPieces('POST', body), 5)
      t.is(r.status, 200, `${n} bytes: ${JSON.stringify(r).slice(0, 300)}`)
      t.true(b.bodies.at(-1) === body, `${n} bytes arrived whole`)
    }
  }
  t.is(b.heads.length, 16, 'each request once')
  t.deepEqual(await pendings(router), {})
})

test('a retried GET with a body: same bytes, router headers once per attempt', async (t) => {
  const b = await scriptedBackend(t, (s, _h, n) =>
    n === 0 ? s.write('HTTP/1.1 503 x\r\ncontent-length: 1\r\n\r\nx') : ok(s),
  )
  const router = await routerOver(t, [b], {
    service: { ...retryReads.service, totalTimeoutMs: 5000 },
  })
  const body = bodyOf(16_383)
  const r = await ask(t, router.port, postPieces('GET', body), 5)
  t.is(r.status, 200)
  t.is(b.heads.length, 2)
  t.true(b.bodies[0] === body && b.bodies[1] === body, 'both attempts got the body')
  for (const head of b.heads) {
    for (const name of [
      'l5d-dst-service',
      'l5d-dst-client',
      'l5d-reqid',
      'l5d-ctx-deadline',
      'via',
      'host',
    ]) {
      t.is(head.match(new RegExp(`^${name}:`, 'gim'))?.length, 1, `${name} in ${head}`)
    }
  }
  t.deepEqual(await pendings(router), {})
})

test('a POST answered 503 is not retried under retryableRead5XX', async (t) => {
  const b = await scriptedBackend(t, (s) => s.write('HTTP/1.1 503 x\r\ncontent-length: 1\r\n\r\nx'))
  const router = await routerOver(t, [b], retryReads)
  const r = await ask(t, router.port, postPieces('POST', 'abc'))
  t.is(r.status, 503)
  t.is(b.heads.length, 1)
})

const unavailable = (s: Socket): void =>
  void s.write('HTTP/1.1 503 x\r\ncontent-length: 1\r\n\r\nx')
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

test('a client gone during a retry backoff: no retry is sent, nothing stays pending', async (t) => {
  const b = await scriptedBackend(t, unavailable)
  const router = await routerOver(t, [b], {
    service: { ...retryReads.service, retries: { backoff: { kind: 'constant', ms: 1500 } } },
  })
  const c = await rawClient(t, router.port)
  c.socket.write(`GET / HTTP/1.1\r\nHost: ${SERVICE}\r\n\r\n`)
  // The first attempt (on a loaded machine it may take a while), then the client leaves during
  // the 1.5 s backoff that follows its 503.
  for (let i = 0; i < 100 && b.heads.length === 0; i++) await sleep(50)
  t.is(b.heads.length, 1)
  c.socket.destroy()
  await sleep(2500)
  t.is(b.heads.length, 1, 'no retry after the client left')
  t.deepEqual(await pendings(router), {})
})

test('a backoff longer than a timer can wait is refused or waited, not skipped', async (t) => {
  const b = await scriptedBackend(t, unavailable)
  let router: RunningRouter
  try {
    router = await routerOver(t, [b], {
      service: { ...retryReads.service, retries: { backoff: { kind: 'constant', ms: 2 ** 32 } } },
    })
  } catch {
    t.pass('refused at start')
    return
  }
  const c = await rawClient(t, router.port)
  c.socket.write(`GET / HTTP/1.1\r\nHost: ${SERVICE}\r\n\r\n`)
  await sleep(1500)
  t.is(b.heads.length, 1, 'the retry waits its backoff')
})

test('a POST the backend calls retryable (l5d-retryable) is retried 25 times at most', async (t) => {
  const b = await scriptedBackend(t, (s) =>
    s.write('HTTP/1.1 503 x\r\nl5d-retryable: true\r\ncontent-length: 1\r\n\r\nx'),
  )
  const router = await routerOver(t, [b])
  const r = await ask(t, router.port, postPieces('POST', 'abc'))
  t.is(r.status, 503)
  t.true(b.heads.length >= 2 && b.heads.length <= 26, `${b.heads.length} attempts`)
  t.true(b.bodies.every((x) => x === 'abc'))
  t.deepEqual(await pendings(router), {})
})

test('an attempt timeout after the response head reached the client is not retried', async (t) => {
  const b = await scriptedBackend(t, (s) =>
    s.write('HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\n0123456789'),
  )
  const router = await routerOver(t, [b], {
    ...retryReads,
    // Long enough for the head to reach the client first on a loaded machine (a timeout before
    // the head is a retryable failure, rightly retried).
    client: { requestAttemptTimeoutMs: 1500 },
  })
  const c = await rawClient(t, router.port)
  c.socket.write(`GET /x HTTP/1.1\r\nHost: ${SERVICE}\r\n\r\n`)
  await Promise.race([c.closed, sleep(6000)])
  t.is(b.heads.length, 1, 'the backend got the request once')
  t.true(c.text().length < 200, `${c.text().length} bytes for a 100-byte body`)
})

test('a long failed response is dropped before the retry, which answers', async (t) => {
  const big = 'y'.repeat(1_000_000)
  const b = await scriptedBackend(t, (s, _h, n) =>
    n === 0 ? s.write(`HTTP/1.1 503 x\r\ncontent-length: ${big.length}\r\n\r\n${big}`) : ok(s),
  )
  const router = await routerOver(t, [b], retryReads)
  const r = await ask(t, router.port, [`GET / HTTP/1.1\r\nHost: ${SERVICE}\r\n\r\n`])
  t.is(r.status, 200)
  t.is(r.body, 'ok')
  t.is(b.heads.length, 2)
  t.deepEqual(await pendings(router), {})
})

test('requeued past a refused endpoint, a chunked POST body arrives byte-exact', async (t) => {
  const b = await scriptedBackend(t, ok)
  const dead = { port: await freePort() }
  const router = await routerOver(t, [b, dead])
  const body = bodyOf(5000)
  for (let i = 0; i < 6; i++) {
    const head = `POST /up HTTP/1.1\r\nHost: ${SERVICE}\r\ntransfer-encoding: chunked\r\n\r\n`
    const chunk = (x: string): string => `${x.length.toString(16)}\r\n${x}\r\n`
    const pieces = [head, chunk(body.slice(0, 1000)), chunk(body.slice(1000)), '0\r\n\r\n']
    const r = await ask(
      t,
      router.port,
      pieces.map((p) => Buffer.from(p, 'latin1')),
      5,
    )
    t.is(r.status, 200)
    t.true(b.bodies.at(-1) === body, 'the body arrived whole')
  }
  t.is(b.heads.length, 6)
  t.deepEqual(await pendings(router), {})
})

test('a client gone while its kept body is coming: nothing pending, nothing sent', async (t) => {
  const b = await scriptedBackend(t, ok)
  const router = await routerOver(t, [b], { service: { totalTimeoutMs: 1000 } })
  for (const hold of [false, true]) {
    const c = await rawClient(t, router.port)
    c.socket.write(
      `POST / HTTP/1.1\r\nHost: ${SERVICE}\r\ncontent-length: 100\r\n\r\n${'z'.repeat(50)}`,
    )
    await sleep(hold ? 1500 : 200)
    c.socket.destroy()
  }
  await sleep(500)
  t.is(b.heads.length, 0)
  t.deepEqual(await pendings(router), {})
  const r = await ask(t, router.port, postPieces('POST', 'abc'))
  t.is(r.status, 200, 'the router still answers')
})

test('a GET to refused endpoints makes at most 25 requeues (docs/limits.md), retries included', async (t) => {
  const dead = [{ port: await freePort() }, { port: await freePort() }]
  const router = await routerOver(t, dead, retryReads)
  const r = await ask(t, router.port, [`GET / HTTP/1.1\r\nHost: ${SERVICE}\r\n\r\n`])
  t.is(r.status, 502)
  const m = await adminMetrics(router)
  const sum = (re: RegExp): number =>
    Object.entries(m)
      .filter(([k]) => re.test(k))
      .reduce((n, [, v]) => n + v, 0)
  const requeues = sum(/retries\/requeues$/)
  const retries = sum(/service.*retries\/total$/)
  t.true(retries <= 25, `${retries} retries`)
  // Each retry passes the balance step again and gets 25 requeues of its own.
  t.true(requeues <= 25, `one request made ${requeues} requeues (and ${retries} retries)`)
})

test('totalTimeoutMs passing during a retry backoff: one answer, no attempt after it', async (t) => {
  const b = await scriptedBackend(t, unavailable)
  const router = await routerOver(t, [b], {
    service: {
      ...retryReads.service,
      totalTimeoutMs: 1000,
      retries: { backoff: { kind: 'constant', ms: 300 } },
    },
  })
  const c = await rawClient(t, router.port)
  c.socket.write(`GET / HTTP/1.1\r\nHost: ${SERVICE}\r\n\r\n`)
  const text = await c.until((s) => parseResponses(s).length >= 1)
  t.is(parseResponses(text)[0]?.status, 503)
  const attempts = b.heads.length
  t.true(attempts >= 2 && attempts <= 5, `${attempts} attempts`)
  await sleep(1000)
  t.is(b.heads.length, attempts, 'nothing sent after the answer')
  t.is(parseResponses(c.text()).length, 1, 'one answer')
  t.deepEqual(await pendings(router), {})
})

test('a received deadline passing while the endpoint is silent: a 504, its exchange closed', async (t) => {
  const b = await scriptedBackend(t, () => undefined)
  const router = await routerOver(t, [b])
  const now = Date.now()
  const head = `GET / HTTP/1.1\r\nHost: ${SERVICE}\r\nl5d-ctx-deadline: ${now}000000 ${now + 800}000000\r\n\r\n`
  const r = await ask(t, router.port, [head])
  t.is(r.status, 504)
  await sleep(1000)
  t.deepEqual(await pendings(router), {})
})

test('a HEAD and a GET with a body are forwarded with that body', async (t) => {
  const b = await scriptedBackend(t, (s, head) =>
    head.startsWith('HEAD') ? s.write('HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n') : ok(s),
  )
  const router = await routerOver(t, [b], retryReads)
  for (const method of ['HEAD', 'GET']) {
    const r = await ask(t, router.port, postPieces(method, 'hello'))
    t.is(r.status, 200)
    t.is(b.bodies.at(-1), 'hello')
  }
  t.deepEqual(await pendings(router), {})
})

for (const [what, keys] of [
  ['service totalTimeoutMs', { service: { totalTimeoutMs: 2 ** 32 } }],
  ['client requestAttemptTimeoutMs', { client: { requestAttemptTimeoutMs: 2 ** 32 } }],
] as const) {
  test(`a ${what} longer than a timer can wait is refused or waited, not hit at once`, async (t) => {
    const b = await scriptedBackend(t, (s) => setTimeout(() => ok(s), 300))
    let router: RunningRouter
    try {
      router = await routerOver(t, [b], { ...keys })
    } catch {
      t.pass('refused at start')
      return
    }
    const r = await ask(t, router.port, [`GET / HTTP/1.1\r\nHost: ${SERVICE}\r\n\r\n`])
    t.is(r.status, 200, JSON.stringify(r.body))
  })
}

test('a GET body one byte past requestBytes is streamed once: its 503 is not retried', async (t) => {
  const b = await scriptedBackend(t, unavailable)
  const router = await routerOver(t, [b], retryReads)
  const body = bodyOf(16_384)
  const r = await ask(t, router.port, postPieces('GET', body), 5)
  t.is(r.status, 503)
  t.is(b.heads.length, 1)
  t.true(b.bodies[0] === body)
  const m = await adminMetrics(router)
  const tooLong = Object.entries(m).find(([k]) => k.endsWith('retries/request_stream_too_long'))
  t.is(tooLong?.[1], 1)
  t.deepEqual(await pendings(router), {})
})

test('pipelined POSTs with kept bodies: each body to its own request, answers in order', async (t) => {
  const b = await scriptedBackend(t, (s, _h, n) =>
    s.write(`HTTP/1.1 200 OK\r\ncontent-length: ${String(n).length}\r\n\r\n${n}`),
  )
  const router = await routerOver(t, [b])
  const c = await rawClient(t, router.port)
  const bodies = ['first', 'second-body', 'x'.repeat(16_383)]
  c.socket.write(Buffer.concat(bodies.flatMap((x) => postPieces('POST', x))))
  const text = await c.until((s) => parseResponses(s).length >= 3)
  t.deepEqual(
    parseResponses(text).map((r) => r.status),
    [200, 200, 200],
  )
  t.deepEqual(b.bodies, bodies)
})
