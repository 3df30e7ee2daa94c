import test from 'ava'
import { constant, readDtab, type Addr, type Bound } from '../../dtabs/index.js'
import { request } from '../../testing/router/core.js'
import { parseBalancer } from '../balancers/index.js'
import { MetricsRegistry } from '../metrics/index.js'
import { MappedVar } from '../transformers/mapped-var.js'
import { Call } from './call.js'
import { UpstreamClient } from './clients.js'
import { LocalDtabReader } from './local-dtab.js'
import { OverrideGuard } from './override-guard.js'
import { isLoopback } from '../../lib/ip.js'
import { literalAllowed, literalDentry } from './override-literals.js'
import { SelfAddresses } from './self-addresses.js'

const HOST_IP = '192.0.2.2'
const stats = new MetricsRegistry({ defaultMetrics: false, snapshotIntervalMs: 0 }).router('t')

/** This process: admin on loopback 9990, a server on every address at 4141, namerd at 4180. */
function self(): SelfAddresses {
  const s = new SelfAddresses({ host: '127.0.0.1', port: 9990 }, ['127.0.0.1', '::1', HOST_IP])
  s.addServer({ host: '0.0.0.0', port: 4141 })
  s.addServer({ host: '127.0.0.1', port: 4140 })
  const namerd = [{ host: '127.0.0.1', port: 4180 }]
  s.addNamerd(() => namerd)
  return s
}

const bound = (addrs: [string, number][]): Addr => ({
  type: 'bound',
  addrs: addrs.map(([host, port]) => ({ host, port })),
})

/** A client of `id` over `addr`, and a call to it with an override. */
function setup(id: string, addr: Bound['addr']) {
  const b: Bound = { id: id.split('/').slice(1), path: [], addr }
  const client = new UpstreamClient(b, parseBalancer(undefined), stats.client(id))
  const call = new Call(request(['Host', 'web', 'l5d-dtab', '/svc/web=>/x']), serverCtx, '1.1')
  call.local = new LocalDtabReader().read(undefined, ['/svc/web=>/x'])
  call.bound = b
  call.name = '/svc/web'
  return { client, call }
}

const serverCtx = { clearContext: false, stats: stats.server('127.0.0.1', 4140), active: 0 }

test('literal addresses: /$ namers that can name an address, anywhere in a dentry', (t) => {
  const found = (text: string) => literalDentry(readDtab(text))
  t.is(found('/svc/a => /$/inet/127.0.0.1/9990'), '/svc/a=>/$/inet/127.0.0.1/9990')
  t.is(
    found('/a => /#/x; /b => /#/y | (1 * /c & 2 * /$/fixedinet/h/1)'),
    '/b=>/#/y | /c & 2.00*/$/fixedinet/h/1',
  )
  t.truthy(found('/svc => /$/io.buoyant.rinet/80/h'))
  t.truthy(found('/svc => /$/io.buoyant.hostportPfx/$/inet'), 'a rewriter can produce /$/inet')
  t.truthy(found('/svc => /$'), '/$ with the residual is any /$ path')
  t.truthy(found('/svc => /$/\\x69net/h/1'), 'escapes are read before the check')
  t.is(
    found('/svc => /$/nil; /svc/a => /$/fail; /svc/b => /#/io.l5d.fs/b; /$/inet => /x'),
    undefined,
  )
})

test('who may send literals: loopback (default), all, none', (t) => {
  for (const ip of ['127.0.0.1', '127.9.9.9', '::1', '::ffff:127.0.0.1']) t.true(isLoopback(ip), ip)
  for (const ip of [HOST_IP, '10.0.0.1', 'fd00::2', undefined, 'localhost']) t.false(isLoopback(ip))
  t.true(literalAllowed('loopback', '127.0.0.1'))
  t.false(literalAllowed('loopback', HOST_IP))
  t.true(literalAllowed('all', HOST_IP))
  t.false(literalAllowed('none', '127.0.0.1'))
})

test('self addresses: wildcard servers on every local address, namerd on this host likewise', (t) => {
  const { control, servers } = self().snapshot()
  t.is(control('127.0.0.1', 9990), 'admin')
  t.is(control('127.1', 9990), 'admin', 'compared by value')
  t.is(control('0.0.0.0', 9990), 'admin', '0.0.0.0 reaches this host')
  t.is(control(HOST_IP, 9990), undefined, 'admin listens on loopback only')
  t.is(control(HOST_IP, 4180), 'namerd', 'namerd on this host may listen on every address')
  t.is(control('::ffff:127.0.0.2', 4180), 'namerd')
  t.is(servers(HOST_IP, 4141), 'server')
  t.is(servers('localhost', 4141), 'server')
  t.is(servers(HOST_IP, 4140), undefined)
  t.is(servers('10.0.0.9', 4141), undefined, 'another host')
})

test('an override never reaches admin or namerd; the other endpoints are used', (t) => {
  const guard = new OverrideGuard(self())
  const only = setup('/$/inet/127.0.0.1/9990', constant(bound([['127.0.0.1', 9990]])))
  const e = t.throws(() => guard.acquire(only.call, only.client))
  t.is((e as { code?: string }).code, 'ERR_OVERRIDE_SELF')
  t.regex(e?.message ?? '', /leads \/svc\/web to 127\.0\.0\.1:9990, which is this router's admin/)
  const mixed = setup(
    '/#/io.l5d.fs/web',
    constant(
      bound([
        ['127.0.0.1', 4180],
        ['10.0.0.9', 80],
      ]),
    ),
  )
  for (let i = 0; i < 5; i++) t.is(guard.acquire(mixed.call, mixed.client)?.key, '10.0.0.9:80')
  t.is(mixed.client.balancer.endpoints.find((x) => x.port === 4180)?.pending, 0)
})

test('own servers: refused when the override names them, allowed when a transformer made the hop', (t) => {
  const guard = new OverrideGuard(self())
  const loop = setup('/$/inet/127.0.0.1/4141', constant(bound([['127.0.0.1', 4141]])))
  t.throws(() => guard.acquire(loop.call, loop.client), { message: /own servers \(a loop\)/ })
  // io.l5d.port: an instance on this host goes to this host's incoming server (per-host pattern).
  const toPort = (source: Addr) =>
    new MappedVar(constant(source), (a: Addr) =>
      a.type === 'bound' ? bound(a.addrs.map((x) => [x.host, 4141])) : a,
    )
  const hop = setup('/%/io.l5d.port/4141/#/io.l5d.fs/web', toPort(bound([[HOST_IP, 8080]])))
  t.is(guard.acquire(hop.call, hop.client)?.key, `${HOST_IP}:4141`)
  // The same hop from an address that is the router's own: the override aimed at the router.
  const aimed = setup(
    '/%/io.l5d.port/4141/$/inet/127.0.0.1/9990',
    toPort(bound([['127.0.0.1', 9990]])),
  )
  t.throws(() => guard.acquire(aimed.call, aimed.client), { message: /own servers/ })
  const toAdmin = new MappedVar(constant(bound([['10.0.0.9', 80]])), () =>
    bound([['127.0.0.1', 9990]]),
  )
  const admin = setup('/%/io.l5d.port/9990/#/io.l5d.fs/web', toAdmin)
  t.throws(() => guard.acquire(admin.call, admin.client), { message: /admin/ })
})
