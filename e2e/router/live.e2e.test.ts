import test from 'ava'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import {
  backend,
  client,
  disco,
  send,
  startRouter,
  tempDir,
  writeService,
} from '../../testing/router/process.js'

test('an io.l5d.fs change moves new requests to the new endpoints, without a restart or a failure', async (t) => {
  t.timeout(60_000)
  const [old, fresh] = [await backend(t, 'old'), await backend(t, 'new')]
  const dir = tempDir(t)
  const root = disco(dir, { users: [old] })
  const r = await startRouter(t, dir, {
    namers: [{ kind: 'io.l5d.fs', rootDir: root }],
    routers: [{ protocol: 'http', dtab: '/svc => /#/io.l5d.fs' }],
  })
  const agent = client(t)
  t.is((await send(agent, r.port, '/', { host: 'users' })).headers['x-backend'], 'old')
  const statuses = new Set<number>()
  let switchedAfter: number | undefined
  writeService(root, 'users', [fresh])
  const changedAt = Date.now()
  while (Date.now() - changedAt < 5000) {
    const reply = await send(agent, r.port, '/', { host: 'users' })
    statuses.add(reply.status)
    if (reply.headers['x-backend'] === 'new') {
      switchedAfter = Date.now() - changedAt
      break
    }
  }
  t.deepEqual([...statuses], [200], 'no request failed during the change')
  t.truthy(switchedAfter, 'requests reached the new endpoint')
  t.true((switchedAfter ?? Infinity) < 2000, `switched after ${switchedAfter} ms`)
})

test('a canary shift in a watched dtab file applies to new requests', async (t) => {
  const [v1, v2] = [await backend(t, 'v1'), await backend(t, 'v2')]
  const dir = tempDir(t)
  const dtabFile = join(dir, 'routing.dtab')
  writeFileSync(dtabFile, `/svc/users => /$/inet/127.0.0.1/${v1.port};\n`)
  const r = await startRouter(t, dir, {
    routers: [{ protocol: 'http', interpreter: { kind: 'io.l5d.fs', dtabFile } }],
  })
  const agent = client(t)
  t.is((await send(agent, r.port, '/', { host: 'users' })).headers['x-backend'], 'v1')
  writeFileSync(dtabFile, `/svc/users => /$/inet/127.0.0.1/${v2.port};\n`)
  const deadline = Date.now() + 5000
  let last: string | string[] | undefined
  while (Date.now() < deadline && last !== 'v2') {
    last = (await send(agent, r.port, '/', { host: 'users' })).headers['x-backend']
  }
  t.is(last, 'v2')
})

test('SIGTERM drains: requests in flight all complete, then the router exits 0', async (t) => {
  t.timeout(60_000)
  const slow = await backend(t, 'slow', (req, res) => {
    req.resume()
    setTimeout(() => res.end('done'), 800)
  })
  const dir = tempDir(t)
  const r = await startRouter(t, dir, {
    routers: [{ protocol: 'http', dtab: `/svc/slow => /$/inet/127.0.0.1/${slow.port}` }],
  })
  const agent = client(t)
  const inFlight = Array.from({ length: 20 }, () =>
    send(agent, r.port, '/', { host: 'slow' }).then(
      (x) => `${x.status} ${x.body}`,
      (e: unknown) => `failed: ${String(e)}`,
    ),
  )
  // A loose bound that catches a hang (a loaded CI machine took more than 5 s once).
  const deadline = Date.now() + 30_000
  while (slow.seen.length < 20 && Date.now() < deadline)
    await new Promise((resolve) => setTimeout(resolve, 20))
  t.is(slow.seen.length, 20, 'all twenty reached the backend before shutdown')
  const exit = r.stop()
  t.deepEqual(
    await Promise.all(inFlight),
    Array.from({ length: 20 }, () => '200 done'),
  )
  t.is(await exit, 0)
  await t.throwsAsync(
    send(client(t), r.port, '/', { host: 'slow' }),
    undefined,
    'no longer accepting',
  )
})
