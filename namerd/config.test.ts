/**
 * namerd's config: the interfaces list. linkerd's namerd configs nearly always list the
 * ThriftMux and gRPC interfaces next to the HTTP controller; this namerd serves the HTTP
 * controller only and must start with such configs, saying what it leaves out.
 */
import test from 'ava'
import { parseNamerdConfig } from './config.js'

const STORAGE = { kind: 'io.l5d.inMemory' }

function withInterfaces(...interfaces: unknown[]) {
  return parseNamerdConfig({ storage: STORAGE, interfaces })
}

const ignored = (i: number, kind: string): string =>
  `interfaces[${i}]: ${kind} is not served here (namerd serves io.l5d.httpController only); ignored`

test('thrift and mesh interfaces next to the HTTP controller: one warning each, ignored', (t) => {
  const config = withInterfaces(
    { kind: 'io.l5d.thriftNameInterpreter' },
    { kind: 'io.l5d.httpController' },
    { kind: 'io.l5d.mesh', port: 4321 },
  )
  t.deepEqual(config.warnings, [
    ignored(0, 'io.l5d.thriftNameInterpreter'),
    ignored(2, 'io.l5d.mesh'),
  ])
  t.like(config.interfaces, [{ kind: 'io.l5d.httpController', at: 'interfaces[1]', port: 4180 }])
  t.is(config.interfaces.length, 1)
})

test('the linkerd2 destination interface is ignored the same way', (t) => {
  const config = withInterfaces(
    { kind: 'io.l5d.httpController' },
    { kind: 'io.l5d.destination', namespace: 'internal', prefix: '/svc', port: 8086 },
  )
  t.deepEqual(config.warnings, [ignored(1, 'io.l5d.destination')])
  t.is(config.interfaces.length, 1)
})

test('every key linkerd documents for an ignored interface is accepted', (t) => {
  const config = withInterfaces(
    { kind: 'io.l5d.httpController' },
    {
      kind: 'io.l5d.thriftNameInterpreter',
      ip: '0.0.0.0',
      port: 4100,
      socketOptions: { reusePort: true },
      tls: { certPath: 'cert.pem', keyPath: 'key.pk8' },
      cache: { bindingCacheActive: 1000, addrCacheInactiveTTLSecs: 600 },
    },
    {
      kind: 'io.l5d.mesh',
      h2AccessLog: 'logs/mesh.log',
      h2AccessLogRollPolicy: 'daily',
      h2AccessLogAppend: true,
      h2AccessLogRotateCount: -1,
    },
  )
  t.is(config.warnings.length, 2)
})

test('keys of an ignored interface are still checked: types, ranges, unknown keys', (t) => {
  const bad: [Record<string, unknown>, string][] = [
    [{ port: 'x' }, 'interfaces[1].port: expected an integer in [0, 65535], got string "x"'],
    [{ port: 70000 }, 'interfaces[1].port: expected an integer in [0, 65535], got number 70000'],
    [{ ip: 7 }, 'interfaces[1].ip: expected a string, got number 7'],
    [{ tls: 'yes' }, 'interfaces[1].tls: expected an object, got string "yes"'],
    [{ cache: [] }, 'interfaces[1].cache: expected an object, got a list'],
    [{ prot: 4100 }, 'interfaces[1]: unknown key(s): prot'],
    [{ h2AccessLog: 'x' }, 'interfaces[1]: unknown key(s): h2AccessLog'], // a mesh key
  ]
  for (const [keys, message] of bad) {
    const thrift = { kind: 'io.l5d.thriftNameInterpreter', ...keys }
    t.throws(() => withInterfaces({ kind: 'io.l5d.httpController' }, thrift), { message })
  }
})

test('a config with no interface served here is refused, saying what to add', (t) => {
  t.throws(
    () => withInterfaces({ kind: 'io.l5d.thriftNameInterpreter' }, { kind: 'io.l5d.mesh' }),
    {
      message:
        'interfaces: none of them is served here (io.l5d.thriftNameInterpreter, io.l5d.mesh); add one of kind io.l5d.httpController, the only interface this namerd serves',
    },
  )
  t.throws(() => withInterfaces(), { message: 'interfaces: at least one is required' })
})

test('unknown interface kinds stay errors', (t) => {
  t.throws(() => withInterfaces({ kind: 'io.l5d.grpc' }), {
    message:
      'interfaces[0].kind: unknown kind "io.l5d.grpc" (known: io.l5d.httpController; not served here: io.l5d.thriftNameInterpreter, io.l5d.mesh, io.l5d.destination)',
  })
})

test('ignored interfaces take no port: only served ones are checked for clashes', (t) => {
  const config = withInterfaces(
    { kind: 'io.l5d.httpController', port: 4100 },
    { kind: 'io.l5d.thriftNameInterpreter', port: 4100 },
  )
  t.is(config.interfaces[0]?.port, 4100)
  t.throws(
    () =>
      withInterfaces(
        { kind: 'io.l5d.httpController', port: 4180 },
        { kind: 'io.l5d.httpController', port: 4180 },
      ),
    { message: 'interfaces[1]: 127.0.0.1:4180 is also used by interfaces[0]' },
  )
})

test('maxWatchBacklogKB: 8192 by default; a value below 1 is refused where it is', (t) => {
  t.like(withInterfaces({ kind: 'io.l5d.httpController' }).interfaces, [
    { maxWatchBacklogKB: 8192 },
  ])
  t.like(withInterfaces({ kind: 'io.l5d.httpController', maxWatchBacklogKB: 64 }).interfaces, [
    { maxWatchBacklogKB: 64 },
  ])
  t.throws(() => withInterfaces({ kind: 'io.l5d.httpController', maxWatchBacklogKB: 0 }), {
    message: /^interfaces\[0\]\.maxWatchBacklogKB: /,
  })
})

test('auth: open by default; writes and reads each none or a token source', (t) => {
  const http = 'io.l5d.httpController'
  t.deepEqual(withInterfaces({ kind: http }).interfaces[0]?.auth, {})
  const auth = { writes: { tokenFile: '/etc/namerd/token' }, reads: 'none' }
  t.deepEqual(withInterfaces({ kind: http, auth }).interfaces[0]?.auth, {
    writes: { token: { tokenFile: '/etc/namerd/token' } },
  })
  const both = { writes: { tokenEnv: 'W' }, reads: { tokenEnv: 'R' } }
  t.deepEqual(withInterfaces({ kind: http, auth: both }).interfaces[0]?.auth, {
    writes: { token: { tokenEnv: 'W' } },
    reads: { token: { tokenEnv: 'R' } },
  })
  const cases: [unknown, string][] = [
    [{ writes: { token: 'x' } }, 'interfaces[0].auth.writes.token: a token is never written'],
    [{ writes: {} }, 'interfaces[0].auth.writes: expected tokenFile'],
    [{ write: { tokenEnv: 'W' } }, 'interfaces[0].auth: unknown key(s): write'],
  ]
  for (const [auth, message] of cases) {
    const e = t.throws(() => withInterfaces({ kind: http, auth }))
    t.true(e?.message.startsWith(message), e?.message)
  }
})

const TLS = { certPath: '/c/namerd.pem', keyPath: '/c/namerd.key', caCertPath: '/c/ca.pem' }

test("tls on the HTTP controller: linkerd's server keys", (t) => {
  const http = 'io.l5d.httpController'
  const i = withInterfaces({ kind: http, tls: { ...TLS, requireClientAuth: true } }).interfaces[0]
  t.like(i?.tls, { ...TLS, requireClientAuth: true, protocols: ['TLSv1.2', 'TLSv1.3'] })
  t.is(withInterfaces({ kind: http, tls: { enabled: false } }).interfaces[0]?.tls, undefined)
  const cases: [unknown, string][] = [
    [{ keyPath: 'k' }, 'interfaces[0].tls.certPath: required'],
    [
      { ...TLS, caCertPath: undefined, requireClientAuth: true },
      'interfaces[0].tls.caCertPath: required when requireClientAuth is true',
    ],
    [
      { ...TLS, protocols: ['TLSv1'] },
      'interfaces[0].tls.protocols[0]: unsupported TLS version "TLSv1" (too old',
    ],
    [{ ...TLS, certpath: 'x' }, 'interfaces[0].tls: unknown key(s): certpath'],
  ]
  for (const [tls, message] of cases) {
    const e = t.throws(() => withInterfaces({ kind: http, tls }))
    t.true(e?.message.startsWith(message), e?.message)
  }
})

test('auth identities: allowed beside a token, with tls and caCertPath only', (t) => {
  const http = 'io.l5d.httpController'
  const auth = { writes: { identities: ['ops'], tokenEnv: 'W' }, reads: { identities: ['r'] } }
  t.deepEqual(withInterfaces({ kind: http, tls: TLS, auth }).interfaces[0]?.auth, {
    writes: { token: { tokenEnv: 'W' }, identities: ['ops'] },
    reads: { identities: ['r'] },
  })
  const needs = 'client identities need tls with caCertPath on this interface'
  const cases: [unknown, string][] = [
    [undefined, `interfaces[0].auth.writes.identities: ${needs}`],
    [{ ...TLS, caCertPath: undefined }, `interfaces[0].auth.writes.identities: ${needs}`],
  ]
  for (const [tls, message] of cases) {
    const e = t.throws(() => withInterfaces({ kind: http, tls, auth }))
    t.true(e?.message.startsWith(message), e?.message)
  }
  const admin = { auth: { control: { identities: ['ops'] } } }
  t.throws(
    () =>
      parseNamerdConfig({
        admin,
        storage: { kind: 'io.l5d.inMemory' },
        interfaces: [{ kind: http }],
      }),
    {
      message:
        "admin.auth.control.identities: client identities are accepted on namerd's interfaces only (interfaces[].auth)",
    },
  )
})

test('admin.auth.control: a token source for POST /admin/shutdown', (t) => {
  const admin = { auth: { control: { tokenEnv: 'NAMERD_ADMIN_TOKEN' } } }
  const config = parseNamerdConfig({
    storage: STORAGE,
    admin,
    interfaces: [{ kind: 'io.l5d.httpController' }],
  })
  t.deepEqual(config.admin.auth, { control: { tokenEnv: 'NAMERD_ADMIN_TOKEN' } })
})
