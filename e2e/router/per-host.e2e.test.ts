/**
 * The per-host (linker-to-linker) pattern on one machine, with the real `router` binary: two
 * router processes stand for two hosts. The app's request goes to the "local" outgoing router,
 * whose io.l5d.port transformer sends it to the remote host's incoming port; the incoming
 * router's io.l5d.localhost keeps only endpoints on its host (127.0.0.1 is one of this
 * machine's interface addresses) and delivers. Between the two, a wire tap records what
 * crosses the network and hands it on, as the network between hosts would, from this machine's
 * network address: the incoming router sees a client of another host, whose overrides may name
 * services but not literal addresses.
 */
import test, { type ExecutionContext } from 'ava'
import { createServer, type IncomingHttpHeaders } from 'node:http'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { request, type Agent } from 'undici'
import {
  backend,
  client,
  disco,
  echoed,
  listenUntilTeardown,
  networkAddress,
  send,
  startRouter,
  tempDir,
} from '../../testing/router/process.js'

/** Relays every request to `host:port`, keeping its headers in `seen`. */
async function wireTap(t: ExecutionContext, agent: Agent, host: string, port: number) {
  const seen: IncomingHttpHeaders[] = []
  const server = createServer((req, res) => {
    seen.push(req.headers)
    const headers = { ...req.headers }
    delete headers.connection
    delete headers['keep-alive']
    request(`http://${host}:${port}${req.url ?? '/'}`, { dispatcher: agent, headers })
      .then(async (up) => {
        const body = await up.body.text()
        const back = { ...up.headers }
        for (const h of ['connection', 'keep-alive', 'transfer-encoding']) delete back[h]
        res.writeHead(up.statusCode, back as Record<string, string>)
        res.end(body)
      })
      .catch(() => res.destroy())
  })
  return { port: await listenUntilTeardown(t, server), seen }
}

function hostRouter(root: string, label: string, transformer: Record<string, unknown>) {
  return {
    namers: [{ kind: 'io.l5d.fs', rootDir: root }],
    routers: [
      {
        protocol: 'http',
        label,
        dtab: '/svc => /#/io.l5d.fs',
        interpreter: { kind: 'default', transformers: [transformer] },
      },
    ],
  }
}

test('app → outgoing (io.l5d.port) → remote incoming (io.l5d.localhost) → local instance', async (t) => {
  t.timeout(60_000)
  const [web, canary] = [await backend(t, 'web'), await backend(t, 'canary')]
  const dir = tempDir(t)
  const root = disco(dir, { web: [web], canary: [canary] })
  // A name whose only instance is on another host (TEST-NET-1, never an interface address).
  writeFileSync(join(root, 'remote'), `192.0.2.10 ${web.port}\n`)
  const agent = client(t)
  // The remote host's incoming server listens on every address, as in examples/per-host; the
  // tap reaches it at this machine's network address, so it sees a client of another host.
  const remoteHost = hostRouter(root, 'incoming', { kind: 'io.l5d.localhost' })
  ;(remoteHost.routers[0] as Record<string, unknown>).servers = [{ ip: '0.0.0.0' }]
  const incoming = await startRouter(t, dir, remoteHost)
  const tap = await wireTap(t, agent, networkAddress(), incoming.port)
  const outgoing = await startRouter(
    t,
    dir,
    hostRouter(root, 'outgoing', { kind: 'io.l5d.port', port: tap.port }),
  )

  const reply = await send(agent, outgoing.port, '/hello?x=1', { host: 'web' })
  t.is(reply.status, 200, reply.body)
  const delivered = echoed(reply)
  t.is(delivered.backend, 'web')
  t.is(delivered.url, '/hello?x=1')
  t.is(delivered.headers['via'], '1.1 linkerd, 1.1 linkerd')
  t.is(delivered.headers['l5d-dst-service'], '/svc/web')
  t.is(delivered.headers['l5d-dst-client'], '/%/io.l5d.localhost/#/io.l5d.fs/web')
  t.is(reply.headers['via'], '1.1 linkerd, 1.1 linkerd')

  const onTheWire = tap.seen[0]
  t.is(onTheWire?.['l5d-dst-client'], `/%/io.l5d.port/${tap.port}/#/io.l5d.fs/web`)
  t.is(onTheWire?.['l5d-dst-service'], '/svc/web')
  t.is(onTheWire?.['via'], '1.1 linkerd')
  t.is(onTheWire?.host, 'web')

  // An override set at the edge steers both hops: the outgoing router sends it on as
  // l5d-ctx-dtab and the incoming router (no clearContext) binds with it.
  const steered = await send(agent, outgoing.port, '/', {
    host: 'web',
    'l5d-dtab': '/svc/web => /#/io.l5d.fs/canary',
  })
  t.is(steered.status, 200, steered.body)
  t.is(echoed(steered).backend, 'canary')
  t.is(echoed(steered).headers['l5d-dst-client'], '/%/io.l5d.localhost/#/io.l5d.fs/canary')
  t.is(tap.seen[1]?.['l5d-ctx-dtab'], '/svc/web=>/#/io.l5d.fs/canary')

  const names = async (port: number): Promise<unknown> => {
    const r = await request(`http://127.0.0.1:${port}/bound-names.json`, { dispatcher: agent })
    return r.body.json()
  }
  const sorted = async (port: number) => ((await names(port)) as string[]).sort()
  t.deepEqual(await sorted(outgoing.adminPort), [
    `/%/io.l5d.port/${tap.port}/#/io.l5d.fs/canary`,
    `/%/io.l5d.port/${tap.port}/#/io.l5d.fs/web`,
  ])
  t.deepEqual(await sorted(incoming.adminPort), [
    '/%/io.l5d.localhost/#/io.l5d.fs/canary',
    '/%/io.l5d.localhost/#/io.l5d.fs/web',
  ])

  // The incoming router never delivers to another host: no endpoint is left, so 502 at once.
  const remote = await send(agent, incoming.port, '/', { host: 'remote' })
  t.is(remote.status, 502)
  t.regex(remote.body, /No hosts are available for \/%\/io\.l5d\.localhost\/#\/io\.l5d\.fs\/remote/)
  t.is(web.seen.length, 1)

  // A literal address in the override is the app's to use on its own host (loopback), not
  // another host's: the remote incoming router refuses it (literalAddresses: loopback).
  const literal = await send(agent, outgoing.port, '/', {
    host: 'web',
    'l5d-dtab': `/svc/web => /$/inet/127.0.0.1/${canary.port}`,
  })
  t.is(literal.status, 400, literal.body)
  t.regex(
    literal.body,
    /names a literal address .* from \S+ \(dtabOverrides\.literalAddresses: loopback\)/,
  )
  t.is(canary.seen.length, 1)
})
