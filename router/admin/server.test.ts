import test from 'ava'
import { connect } from 'node:net'
import { request } from 'node:http'
import { CodedError } from '../../lib/errors.js'
import type { Log, LogFields } from '../../lib/log.js'
import { MetricsRegistry } from '../metrics/index.js'
import { buildAdmin, startAdmin, type AdminOptions, type AdminRouter } from './server.js'
import { parseGrace } from './shutdown.js'

class FakeParseError extends CodedError {
  readonly code = 'ERR_DTAB_PARSE'
}

/** A router whose delegate answers from the dtab text, so each outcome can be asked for. */
function fakeRouter(label: string): AdminRouter & { calls: [string, string][] } {
  const calls: [string, string][] = []
  return {
    label,
    calls,
    async delegate(dtab, path) {
      calls.push([dtab, path])
      if (dtab === 'slow') return new Promise(() => undefined)
      if (dtab === 'bad') return { status: 400, body: 'Invalid dtab: nope' }
      if (dtab === 'throw-coded') throw new FakeParseError('bad path at 1')
      if (dtab === 'throw') throw new Error('secret internals')
      return { status: 200, body: { type: 'leaf', path, router: label } }
    },
  }
}

/** Options with nothing in them: no routers, no names, fresh metrics. */
function bareOptions(): AdminOptions {
  return {
    port: 0,
    config: {},
    isReady: () => true,
    routers: [],
    boundNames: () => [],
    metrics: new MetricsRegistry({ snapshotIntervalMs: 0, defaultMetrics: false }),
    shutdown: () => undefined,
  }
}

function setup(overrides: Partial<AdminOptions> = {}) {
  const metrics = new MetricsRegistry({ snapshotIntervalMs: 0, defaultMetrics: false })
  const srv = metrics.router('r1').server('127.0.0.1', 4140)
  srv.requests = 3
  const logged: [string, string, LogFields | undefined][] = []
  const log: Log = {
    debug: (m, f) => logged.push(['debug', m, f]),
    info: (m, f) => logged.push(['info', m, f]),
    warn: (m, f) => logged.push(['warn', m, f]),
    error: (m, f) => logged.push(['error', m, f]),
  }
  const routers = [fakeRouter('r1'), fakeRouter('r2')]
  const shutdowns: (number | undefined)[] = []
  let ready = false
  const options: AdminOptions = {
    port: 0,
    config: { routers: [{ label: 'r1', dtab: '/svc=>/#/io.l5d.fs' }] },
    isReady: () => ready,
    routers,
    boundNames: () => ['/#/io.l5d.fs/a', '/#/io.l5d.fs/b'],
    metrics,
    shutdown: (graceMs) => void shutdowns.push(graceMs),
    log,
    delegateTimeoutMs: 50,
    ...overrides,
  }
  const app = buildAdmin(options)
  return {
    app,
    routers,
    shutdowns,
    logged,
    setReady: (v: boolean) => (ready = v),
  }
}

test('GET /admin/ping: 200 pong, text/plain', async (t) => {
  const { app } = setup()
  const res = await app.inject({ url: '/admin/ping' })
  t.is(res.statusCode, 200)
  t.is(res.body, 'pong')
  t.is(res.headers['content-type'], 'text/plain; charset=utf-8')
})

test('GET /admin/ready: 503 not ready, then 200 ready', async (t) => {
  const { app, setReady } = setup()
  const before = await app.inject({ url: '/admin/ready' })
  t.is(before.statusCode, 503)
  t.is(before.body, 'not ready')
  setReady(true)
  const after = await app.inject({ url: '/admin/ready' })
  t.is(after.statusCode, 200)
  t.is(after.body, 'ready')
})

test('GET /admin/metrics/prometheus: text/plain; version=0.0.4 with rt:* lines', async (t) => {
  const { app } = setup()
  const res = await app.inject({ url: '/admin/metrics/prometheus' })
  t.is(res.statusCode, 200)
  t.is(res.headers['content-type'], 'text/plain; version=0.0.4; charset=utf-8')
  t.true(res.body.startsWith('rt:server:requests{rt="r1", server="127.0.0.1/4140"} 3\n'))
})

test('prometheusPath moves the Prometheus endpoint', async (t) => {
  const { app } = setup({ prometheusPath: '/metrics' })
  const res = await app.inject({ url: '/metrics' })
  t.is(res.statusCode, 200)
  t.true(res.body.startsWith('rt:server:requests{'))
  t.is((await app.inject({ url: '/admin/metrics/prometheus' })).statusCode, 404)
})

test('GET /admin/metrics.json: flat, pretty, tree, q, and 404 for a missing subtree', async (t) => {
  const { app } = setup()
  const flat = await app.inject({ url: '/admin/metrics.json' })
  t.is(flat.statusCode, 200)
  t.is(flat.headers['content-type'], 'application/json; charset=utf-8')
  t.like(flat.json(), { 'rt/r1/server/127.0.0.1/4140/requests': 3 })
  const pretty = await app.inject({ url: '/admin/metrics.json?pretty=1' })
  t.true(pretty.body.startsWith('{\n  "rt/r1/server/127.0.0.1/4140/connections": 0,'))
  const tree = await app.inject({ url: '/admin/metrics.json?tree=true&q=rt/r1/server' })
  t.deepEqual(tree.json<Record<string, { requests: unknown }>>()['127.0.0.1/4140']?.requests, {
    counter: 3,
  })
  const missing = await app.inject({ url: '/admin/metrics.json?q=a/b' })
  t.is(missing.statusCode, 404)
  t.is(missing.body, '{"error": "No such subtree: a/b"}')
})

test('GET /config.json echoes the config; /bound-names.json lists names', async (t) => {
  const { app } = setup()
  const config = await app.inject({ url: '/config.json' })
  t.is(config.statusCode, 200)
  t.deepEqual(config.json(), { routers: [{ label: 'r1', dtab: '/svc=>/#/io.l5d.fs' }] })
  const names = await app.inject({ url: '/bound-names.json' })
  t.deepEqual(names.json(), ['/#/io.l5d.fs/a', '/#/io.l5d.fs/b'])
})

test('GET /delegator.json: first router by default; namespace picks; 404 unknown', async (t) => {
  const { app, routers } = setup()
  const dflt = await app.inject({ url: '/delegator.json?path=/svc/foo&dtab=/a=>/b' })
  t.is(dflt.statusCode, 200)
  t.deepEqual(dflt.json(), { type: 'leaf', path: '/svc/foo', router: 'r1' })
  t.deepEqual(routers[0]?.calls, [['/a=>/b', '/svc/foo']])
  const r2 = await app.inject({ url: '/delegator.json?path=/svc/foo&namespace=r2' })
  t.like(r2.json(), { router: 'r2' })
  t.deepEqual(routers[1]?.calls, [['', '/svc/foo']], 'no dtab is the empty dtab')
  const unknown = await app.inject({ url: '/delegator.json?path=/svc/foo&namespace=nope' })
  t.is(unknown.statusCode, 404)
  t.is(unknown.body, 'Unknown namespace: no router "nope"')
  const noRouters = buildAdmin(bareOptions())
  t.is((await noRouters.inject({ url: '/delegator.json?path=/a' })).statusCode, 404)
})

test('GET /delegator.json: router statuses pass; no path 400; coded throws map', async (t) => {
  const { app, logged } = setup()
  const noPath = await app.inject({ url: '/delegator.json' })
  t.is(noPath.statusCode, 400)
  t.is(noPath.body, 'Invalid path: the "path" parameter is missing')
  const bad = await app.inject({ url: '/delegator.json?path=/a&dtab=bad' })
  t.is(bad.statusCode, 400)
  t.is(bad.body, 'Invalid dtab: nope')
  t.is(bad.headers['content-type'], 'text/plain; charset=utf-8')
  const coded = await app.inject({ url: '/delegator.json?path=/a&dtab=throw-coded' })
  t.is(coded.statusCode, 400)
  t.is(coded.body, 'bad path at 1')
  t.is(logged.length, 0, 'expected errors are not logged')
  const boom = await app.inject({ url: '/delegator.json?path=/a&dtab=throw' })
  t.is(boom.statusCode, 500)
  t.is(boom.body, 'internal error\n')
  t.is(logged[0]?.[0], 'error')
  t.is(logged[0]?.[1], 'admin request failed')
})

test('GET /delegator.json: 503 Request timed out. past the deadline', async (t) => {
  const { app } = setup()
  const res = await app.inject({ url: '/delegator.json?path=/a&dtab=slow' })
  t.is(res.statusCode, 503)
  t.is(res.body, 'Request timed out.')
})

test('POST /delegator.json: application/json only (415 otherwise); malformed 400', async (t) => {
  const { app } = setup()
  const ok = await app.inject({
    method: 'POST',
    url: '/delegator.json',
    payload: { namespace: 'r2', dtab: '/x=>/y', path: '/svc/bar' },
  })
  t.is(ok.statusCode, 200)
  t.deepEqual(ok.json(), { type: 'leaf', path: '/svc/bar', router: 'r2' })
  const post = (type: string, payload: string) =>
    app.inject({
      method: 'POST',
      url: '/delegator.json',
      headers: { 'content-type': type },
      payload,
    })
  t.is((await post('text/plain', '{"path":"/a"}')).statusCode, 415)
  t.is((await post('application/x-www-form-urlencoded', 'path=/a')).statusCode, 415)
  t.is((await post('application/json; charset=utf-8', '{"path":"/a"}')).statusCode, 200)
  const malformed = await post('application/json', '{"dtab":"/a=>/b"}')
  t.is(malformed.statusCode, 400)
  t.is(malformed.body, 'Malformed delegation request: {"dtab":"/a=>/b"}')
  t.is((await post('application/json', '{"path": 3}')).statusCode, 400)
  t.is((await post('application/json', '{not json')).statusCode, 400)
})

test('/delegator.json: other methods are 405 with Allow', async (t) => {
  const { app } = setup()
  for (const method of ['PUT', 'DELETE', 'PATCH'] as const) {
    const res = await app.inject({ method, url: '/delegator.json' })
    t.is(res.statusCode, 405, method)
    t.is(res.headers['allow'], 'GET, POST')
  }
})

test('POST /admin/shutdown: quitting, then shutdown() after the answer; grace in ms', async (t) => {
  const { app, shutdowns } = setup()
  const res = await app.inject({ method: 'POST', url: '/admin/shutdown' })
  t.is(res.statusCode, 200)
  t.is(res.body, 'quitting\n')
  await new Promise((resolve) => setImmediate(resolve))
  t.deepEqual(shutdowns, [undefined])
  await app.inject({ method: 'POST', url: '/admin/shutdown?grace=10.seconds' })
  await new Promise((resolve) => setImmediate(resolve))
  t.deepEqual(shutdowns, [undefined, 10_000])
})

test('/admin/shutdown: a bad grace is 400 and shuts nothing; GET is 405', async (t) => {
  const { app, shutdowns } = setup()
  const bad = await app.inject({ method: 'POST', url: '/admin/shutdown?grace=soon' })
  t.is(bad.statusCode, 400)
  t.is(bad.body, "could not parse 'grace' parameter: soon is not a valid duration")
  const get = await app.inject({ url: '/admin/shutdown' })
  t.is(get.statusCode, 405)
  t.is(get.headers['allow'], 'POST')
  await new Promise((resolve) => setImmediate(resolve))
  t.deepEqual(shutdowns, [])
})

test('parseGrace: twitter-util durations', (t) => {
  t.is(parseGrace('10.seconds'), 10_000)
  t.is(parseGrace('1.second'), 1000)
  t.is(parseGrace('500.milliseconds'), 500)
  t.is(parseGrace('2.minutes'), 120_000)
  for (const bad of ['10', '10s', '.seconds', '1.fortnight', '-1.seconds']) {
    t.throws(() => parseGrace(bad), { message: /could not parse 'grace'/ }, bad)
  }
})

test('GET /admin and /admin/index.txt list the endpoints', async (t) => {
  const { app } = setup()
  const want = [
    '/',
    '/admin',
    '/admin/dashboard.json',
    '/admin/dtabs.json',
    '/admin/index.txt',
    '/admin/metrics.json',
    '/admin/metrics/clients.json',
    '/admin/metrics/prometheus',
    '/admin/ping',
    '/admin/ready',
    '/admin/shutdown',
    '/bound-names.json',
    '/client_state.json',
    '/config.json',
    '/delegator',
    '/delegator.json',
    '/interpreter_state.json',
  ]
  for (const url of ['/admin', '/admin/index.txt']) {
    const res = await app.inject({ url })
    t.is(res.statusCode, 200)
    t.deepEqual(res.body.trimEnd().split('\n'), want)
  }
  t.is((await app.inject({ url: '/nope' })).statusCode, 404)
})

test('over a socket: startAdmin on port 0 answers, and close() returns promptly', async (t) => {
  const admin = await startAdmin(bareOptions())
  t.is(admin.address.ip, '127.0.0.1')
  t.true(admin.address.port > 0)
  const body = await new Promise<string>((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port: admin.address.port, path: '/admin/ping', agent: false },
      (res) => {
        let text = ''
        res.setEncoding('utf8')
        res.on('data', (c: string) => (text += c))
        res.on('end', () => resolve(text))
      },
    )
    req.on('error', reject)
    req.end()
  })
  t.is(body, 'pong')
  // a keep-alive connection left idle and one stuck half-way through its request
  const idle = connect(admin.address.port, '127.0.0.1')
  idle.on('error', () => undefined)
  idle.write('GET /admin/ping HTTP/1.1\r\nHost: x\r\n\r\n')
  const stuck = connect(admin.address.port, '127.0.0.1')
  stuck.on('error', () => undefined)
  stuck.write('GET /admin/ping HTTP/1.1\r\nHost: x\r\n')
  await new Promise((resolve) => setTimeout(resolve, 50))
  const started = Date.now()
  await admin.close()
  const took = Date.now() - started
  t.true(took < 1000, `close took ${took} ms`)
  idle.destroy()
  stuck.destroy()
})
