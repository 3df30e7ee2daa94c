/**
 * Dtab overrides cannot reach the router or namerd themselves (docs/security.md), with the real
 * `router` and `namerd` binaries: an override to the router's admin (`/admin/shutdown`) or to
 * namerd's API (a dtab write) is a 400 with `l5d-err` and never arrives; an override naming a
 * literal address is refused from a client on another address unless the server allows it.
 */
import test from 'ava'
import { spawn } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { request, type Agent } from 'undici'
import { eventually } from '../../testing/eventually.js'
import { freePort } from '../../testing/free-port.js'
import { binPath } from '../../testing/paths.js'
import { startNamerd } from '../../testing/namerd/process.js'
import {
  backend,
  client,
  disco,
  echoed,
  networkAddress,
  send,
  startRouter,
  tempDir,
  type Reply,
} from '../../testing/router/process.js'

/** The `l5d-err` header, decoded (form encoding, `+` for space). */
function l5dErr(value: unknown): string {
  return decodeURIComponent(String(value).replaceAll('+', ' '))
}

/** `POST /admin/shutdown` sent to the router at `port` with an override to `/$/inet/<target>`. */
function shutdownThrough(agent: Agent, port: number, target: string): Promise<Reply> {
  const headers = { host: 'foo', 'l5d-dtab': `/svc/foo => /$/inet/${target}` }
  return send(agent, port, '/admin/shutdown', headers, 'POST')
}

function routerConfig(rootDir: string, extra: Record<string, unknown> = {}) {
  return {
    namers: [{ kind: 'io.l5d.fs', rootDir }],
    routers: [{ protocol: 'http', dtab: '/svc => /#/io.l5d.fs', ...extra }],
  }
}

test('an override to the admin server is a 400: /admin/shutdown through it does not stop the router', async (t) => {
  t.timeout(60_000)
  const web = await backend(t, 'web')
  const dir = tempDir(t)
  const r = await startRouter(t, dir, routerConfig(disco(dir, { web: [web] })))
  const agent = client(t)
  // The router's own host, spelled every way that reaches a loopback admin server.
  for (const host of ['127.0.0.1', 'localhost', '127.1', '0.0.0.0', '::ffff:127.0.0.1']) {
    const reply = await shutdownThrough(agent, r.port, `${host}/${r.adminPort}`)
    t.is(reply.status, 400, `${host}: ${reply.body}`)
    t.regex(l5dErr(reply.headers['l5d-err']), /admin/, host)
    t.regex(reply.body, /may not reach the router or namerd/)
  }
  t.is((await send(agent, r.port, '/', { host: 'web' })).status, 200, 'still routing')
  const ready = await request(`http://127.0.0.1:${r.adminPort}/admin/ready`, { dispatcher: agent })
  t.is(ready.statusCode, 200)
  await ready.body.text()
  // An override to one of its own servers is a loop: refused as well, not passed around 1000 times.
  const loop = await send(agent, r.port, '/', {
    host: 'web',
    'l5d-dtab': `/svc/web => /$/inet/127.0.0.1/${r.port}`,
  })
  t.is(loop.status, 400, loop.body)
  t.regex(loop.body, /one of its own servers/)
  t.is(web.seen.length, 1)
})

test('with admin.port 0 (any free port), an override to the port the admin got is a 400 too', async (t) => {
  t.timeout(60_000)
  const dir = tempDir(t)
  const port = await freePort()
  const config = {
    admin: { port: 0 },
    ...routerConfig(disco(dir, {}), { servers: [{ port }] }),
  }
  writeFileSync(join(dir, 'router.json'), JSON.stringify(config))
  const child = spawn(process.execPath, [binPath('router'), join(dir, 'router.json')], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, LOG_LEVEL: 'info' },
  })
  const exited = new Promise((resolve) => child.once('exit', resolve))
  t.teardown(() => (child.kill('SIGKILL'), exited))
  // The admin's port is known from its log line only.
  let log = ''
  child.stdout.on('data', (d: Buffer) => (log += d.toString()))
  child.stderr.on('data', (d: Buffer) => (log += d.toString()))
  await eventually('the admin listens', () => /"admin listening"/.test(log), 30_000)
  const line = log.split('\n').find((l) => l.includes('"admin listening"')) as string
  const adminPort = (JSON.parse(line) as { port: number }).port
  const agent = client(t)
  const reply = await shutdownThrough(agent, port, `127.0.0.1/${adminPort}`)
  t.is(reply.status, 400, reply.body)
  t.regex(l5dErr(reply.headers['l5d-err']), /admin/)
  const ready = await request(`http://127.0.0.1:${adminPort}/admin/ready`, { dispatcher: agent })
  t.is(ready.statusCode, 200, 'still running')
  await ready.body.text()
})

test('an override to namerd is a 400: a dtab write through the router never reaches namerd', async (t) => {
  t.timeout(60_000)
  const web = await backend(t, 'web')
  const dir = tempDir(t)
  const namerd = await startNamerd(t, dir, {
    storage: { kind: 'io.l5d.inMemory', namespaces: { default: '/svc => /#/io.l5d.fs' } },
    namers: [{ kind: 'io.l5d.fs', rootDir: disco(dir, { web: [web] }) }],
  })
  const namerdPort = new URL(namerd.api).port
  const r = await startRouter(t, dir, {
    routers: [
      {
        protocol: 'http',
        interpreter: { kind: 'io.l5d.namerd.http', dst: `/$/inet/127.0.0.1/${namerdPort}` },
      },
    ],
  })
  const agent = client(t)
  t.is((await send(agent, r.port, '/', { host: 'web' })).status, 200, 'routes through namerd')
  const headers = {
    host: 'foo',
    'content-type': 'application/dtab',
    'l5d-dtab': `/svc/foo => /$/inet/127.0.0.1/${namerdPort}`,
  }
  // PUT without If-Match overwrites the namespace (namerd's upsert): the attack's payload.
  const put = await request(`http://127.0.0.1:${r.port}/api/1/dtabs/default`, {
    dispatcher: agent,
    method: 'PUT',
    headers,
    body: '/svc => /$/inet/192.0.2.99/80',
  })
  const write = { status: put.statusCode, headers: put.headers, body: await put.body.text() }
  t.is(write.status, 400, write.body)
  t.regex(l5dErr(write.headers['l5d-err']), /namerd/)
  const dtab = await request(`${namerd.api}/api/1/dtabs/default`, {
    dispatcher: agent,
    headers: { accept: 'application/dtab' },
  })
  t.is((await dtab.body.text()).trim(), '/svc=>/#/io.l5d.fs', "namerd's dtab is unchanged")
})

test('literal addresses in overrides: refused from a non-loopback client unless the server allows them', async (t) => {
  t.timeout(60_000)
  const [web, canary] = [await backend(t, 'web'), await backend(t, 'canary')]
  const dir = tempDir(t)
  const [strict, open] = [await freePort(), await freePort()]
  const servers = [
    { ip: '0.0.0.0', port: strict },
    { ip: '0.0.0.0', port: open, dtabOverrides: { literalAddresses: 'all' } },
  ]
  await startRouter(t, dir, routerConfig(disco(dir, { web: [web], canary: [canary] }), { servers }))
  const agent = client(t)
  const ip = networkAddress()
  const through = async (host: string, port: number, headers: Record<string, string>) => {
    const r = await request(`http://${host}:${port}/`, { dispatcher: agent, headers })
    const body = await r.body.text()
    return { status: r.statusCode, headers: r.headers, body }
  }
  const literal = { host: 'web', 'l5d-dtab': `/svc/web => /$/inet/127.0.0.1/${canary.port}` }

  const refused = await through(ip, strict, literal)
  t.is(refused.status, 400, refused.body)
  t.regex(l5dErr(refused.headers['l5d-err']), /literal address/)
  t.regex(refused.body, new RegExp(`from ${ip.replaceAll('.', '\\.')}.*literalAddresses: loopback`))
  t.is(canary.seen.length, 0)

  const named = await through(ip, strict, {
    host: 'web',
    'l5d-dtab': '/svc/web => /#/io.l5d.fs/canary',
  })
  t.is(named.status, 200, 'an override naming a service is taken from anyone')
  t.is(echoed(named).backend, 'canary')

  const local = await through('127.0.0.1', strict, literal)
  t.is(local.status, 200, `loopback clients may (default): ${local.body}`)
  t.is(echoed(local).backend, 'canary')

  const allowed = await through(ip, open, literal)
  t.is(allowed.status, 200, `literalAddresses: all: ${allowed.body}`)
  t.is(echoed(allowed).backend, 'canary')
})
