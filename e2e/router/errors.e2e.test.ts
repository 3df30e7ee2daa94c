import test from 'ava'
import { spawnSync } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import { connect } from 'node:net'
import { join } from 'node:path'
import { repoPath } from '../../testing/paths.js'
import { backend, client, send, startRouter, tempDir } from '../../testing/router/process.js'

/** The decoded `l5d-err` header (form encoding, `+` for space). */
function l5dErr(value: string | string[] | undefined): string {
  return decodeURIComponent(String(value).replace(/\+/g, ' '))
}

test('router errors: statuses, l5d-err and bodies that say what went wrong', async (t) => {
  const dir = tempDir(t)
  const r = await startRouter(t, dir, {
    routers: [
      {
        protocol: 'http',
        dtab: '/svc/down => /$/inet/127.0.0.1/1; /svc/loop => /svc/loop/x; /svc/empty => /$/nil',
        bindingTimeoutMs: 500,
      },
    ],
  })
  const agent = client(t)

  const bad = await send(agent, r.port, '/', { host: 'web', 'l5d-dtab': '/svc/web = > /x' })
  t.is(bad.status, 400)
  t.regex(bad.body, /^Invalid l5d-dtab header: '>' expected but ' ' found at line 1, column 11/)
  t.is(l5dErr(bad.headers['l5d-err']), bad.body)

  const unrouted = await send(agent, r.port, '/', { host: 'nope' })
  t.is(unrouted.status, 502)
  t.true(
    unrouted.body.startsWith('Unable to route request!\n\nservice name: /svc/nope\n'),
    unrouted.body,
  )
  t.true(unrouted.body.includes('base dtab:\n  /svc/down => /$/inet/127.0.0.1/1\n'), unrouted.body)

  const empty = await send(agent, r.port, '/', { host: 'empty' })
  t.is(empty.status, 502)

  const down = await send(agent, r.port, '/', { host: 'down' })
  t.is(down.status, 502)
  t.true(down.body.startsWith('Unable to establish connection to 127.0.0.1:1.'), down.body)
  t.true(down.body.includes('selected address: 127.0.0.1:1'))

  const loop = await send(agent, r.port, '/', { host: 'loop' })
  t.is(loop.status, 502)
  t.regex(loop.body, /Max recursion level: 100 reached/)

  const looping = Array.from({ length: 1000 }, () => 'x').join(',')
  const via = await send(agent, r.port, '/', { host: 'down', via: looping })
  t.is(via.status, 400)
  t.is(via.body, 'Maximum number of calls (1000) has been exceeded. Please check for proxy loops.')
})

test('an unidentifiable request is a 400 naming the reason', async (t) => {
  const dir = tempDir(t)
  const r = await startRouter(t, dir, {
    routers: [{ protocol: 'http', identifier: { kind: 'io.l5d.header', header: 'x-name' } }],
  })
  const reply = await send(client(t), r.port, '/x', { host: 'web' })
  t.is(reply.status, 400)
  t.regex(
    reply.body,
    /^Unknown destination: Request\("GET \/x", from \/127\.0\.0\.1:\d+\) \/ x-name header is absent$/,
  )
})

test('a name still pending when bindingTimeoutMs expires is a 504', async (t) => {
  const dir = tempDir(t)
  const r = await startRouter(t, dir, {
    routers: [
      {
        protocol: 'http',
        interpreter: { kind: 'io.l5d.fs', dtabFile: `${dir}/not-there-yet.dtab` },
        bindingTimeoutMs: 300,
      },
    ],
  })
  const reply = await send(client(t), r.port, '/', { host: 'web' })
  t.is(reply.status, 504)
  t.is(reply.body, 'Exceeded 300.milliseconds binding timeout while resolving name: /svc/web')
})

test('malformed requests, vanishing clients and resetting backends never bring the router down', async (t) => {
  const reset = await backend(t, 'reset', (req) => req.socket.destroy())
  const slow = await backend(t, 'slow', (_req, res) => setTimeout(() => res.end('late'), 300))
  const dir = tempDir(t)
  const r = await startRouter(t, dir, {
    routers: [
      {
        protocol: 'http',
        dtab: `/svc/reset => /$/inet/127.0.0.1/${reset.port}; /svc/slow => /$/inet/127.0.0.1/${slow.port}`,
      },
    ],
  })
  const raw = (text: string): Promise<string> =>
    new Promise((resolve) => {
      const s = connect(r.port, '127.0.0.1', () => s.end(text))
      let out = ''
      s.on('data', (d: Buffer) => (out += d.toString()))
      s.on('close', () => resolve(out))
      s.on('error', () => resolve(out))
    })
  t.regex(await raw('NOT HTTP AT ALL\r\n\r\n'), /^HTTP\/1\.1 400/)
  t.regex(
    await raw(`GET / HTTP/1.1\r\nHost: web\r\nX-Big: ${'x'.repeat(64 * 1024)}\r\n\r\n`),
    /^HTTP\/1\.1 431 /,
  )
  const gone = connect(r.port, '127.0.0.1', () => {
    gone.write('POST / HTTP/1.1\r\nHost: slow\r\nContent-Length: 100000\r\n\r\npartial')
    setTimeout(() => gone.destroy(), 50)
  })
  gone.on('error', () => undefined)
  await new Promise((resolve) => setTimeout(resolve, 400))
  const agent = client(t)
  const resetReply = await send(agent, r.port, '/', { host: 'reset' })
  t.is(resetReply.status, 502)
  t.regex(resetReply.body, /service name: \/svc\/reset/)
  const ok = await send(agent, r.port, '/', { host: 'slow' })
  t.is(ok.status, 200, 'still serving')
  t.is(ok.body, 'late')
})

test('totalTimeoutMs and requestAttemptTimeoutMs answer 503 in time; the access log records requests', async (t) => {
  const slow = await backend(t, 'slow', (req, res) => {
    req.resume()
    setTimeout(() => res.end('late'), 1500)
  })
  const dir = tempDir(t)
  const accessLog = join(dir, 'access.log')
  const r = await startRouter(t, dir, {
    routers: [
      {
        protocol: 'http',
        dtab: `/svc => /$/inet/127.0.0.1/${slow.port}`,
        httpAccessLog: accessLog,
        service: {
          kind: 'io.l5d.static',
          configs: [{ prefix: '/svc/total', totalTimeoutMs: 200 }],
        },
        client: { kind: 'io.l5d.global', requestAttemptTimeoutMs: 400 },
      },
    ],
  })
  const agent = client(t)
  const started = Date.now()
  const total = await send(agent, r.port, '/t', { host: 'total', 'user-agent': 'e2e' })
  t.is(total.status, 503)
  t.true(
    total.body.startsWith(
      'exceeded 200.milliseconds while waiting for a response for the request, including retries',
    ),
    total.body,
  )
  t.true(Date.now() - started < 1200, 'answered before the backend would have')
  const attempt = await send(agent, r.port, '/a', { host: 'other' })
  t.is(attempt.status, 503)
  t.regex(
    attempt.body,
    /^exceeded 400\.milliseconds while waiting for a response for the request, from \/\$\/inet\/127\.0\.0\.1\/\d+/,
  )
  await r.stop()
  const lines = readFileSync(accessLog, 'utf8').trim().split('\n')
  t.is(lines.length, 2)
  t.regex(lines[1] ?? '', /^other 127\.0\.0\.1 - - \[.*\] "GET \/a HTTP\/1\.1" 503 \d+ "-" "-"$/)
  t.regex(
    lines[0] ?? '',
    /^total 127\.0\.0\.1 - - \[\d\d\/\d\d\/\d{4}:\d\d:\d\d:\d\d \+0000\] "GET \/t HTTP\/1\.1" 503 \d+ "-" "e2e"$/,
  )
})

test('a port already in use stops the router with a one-line message and status 1', async (t) => {
  const holder = await backend(t, 'holder')
  const dir = tempDir(t)
  const file = join(dir, 'busy.json')
  writeFileSync(
    file,
    JSON.stringify({
      admin: { port: 0 },
      routers: [{ protocol: 'http', servers: [{ port: holder.port }] }],
    }),
  )
  const bin = repoPath('bin/router.js')
  const r = spawnSync(process.execPath, [bin, file], { encoding: 'utf8', timeout: 20_000 })
  t.is(r.status, 1)
  t.true(
    r.stderr.includes(
      `router: cannot listen on 127.0.0.1:${holder.port}: address already in use\n`,
    ),
    r.stderr,
  )
  t.false(r.stderr.includes('    at '), 'no stack trace')
})

test('an access log that cannot be opened stops the router with a message naming it', (t) => {
  const dir = tempDir(t)
  const file = join(dir, 'router.json')
  const accessLog = join(dir, 'missing-dir', 'access.log')
  writeFileSync(
    file,
    JSON.stringify({
      admin: { port: 0 },
      routers: [{ protocol: 'http', httpAccessLog: accessLog, servers: [{ port: 0 }] }],
    }),
  )
  const bin = repoPath('bin/router.js')
  const r = spawnSync(process.execPath, [bin, file], { encoding: 'utf8', timeout: 20_000 })
  t.is(r.status, 1)
  t.true(r.stderr.includes(`router: httpAccessLog: cannot open ${accessLog}: ENOENT`), r.stderr)
  t.false(r.stderr.includes('    at '), 'no stack trace')
})

test('an access log that cannot be opened stops a router with a watched dtab file (no hang)', (t) => {
  const dir = tempDir(t)
  const file = join(dir, 'router.json')
  writeFileSync(join(dir, 'dtab'), '/svc => /$/inet/127.0.0.1/1\n')
  writeFileSync(
    file,
    JSON.stringify({
      admin: { port: 0 },
      routers: [
        {
          protocol: 'http',
          interpreter: { kind: 'io.l5d.fs', dtabFile: join(dir, 'dtab') },
          httpAccessLog: join(dir, 'missing-dir', 'access.log'),
          servers: [{ port: 0 }],
        },
      ],
    }),
  )
  const r = spawnSync(process.execPath, [repoPath('bin/router.js'), file], {
    encoding: 'utf8',
    timeout: 10_000,
    killSignal: 'SIGKILL',
  })
  t.is(r.status, 1, `exited ${r.status} (${r.signal ?? 'no signal'}): ${r.stderr}`)
  t.true(r.stderr.includes('httpAccessLog: cannot open'), r.stderr)
})
