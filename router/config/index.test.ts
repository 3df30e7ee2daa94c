import test from 'ava'
import { readPath, showDtab, showPath } from '../../dtabs/index.js'
import {
  clientParamsFor,
  parseConfig,
  serviceParamsFor,
  upstreamSettingsFor,
  type HttpRouterConfig,
  type RouterConfig,
} from './index.js'

/** A config with one http router on the default server, plus `extra` router keys. */
const oneRouter = (extra: Record<string, unknown> = {}, top: Record<string, unknown> = {}) => ({
  routers: [{ protocol: 'http', servers: [{}], ...extra }],
  ...top,
})

const first = (config: RouterConfig): HttpRouterConfig => config.routers[0] as HttpRouterConfig

test('defaults', (t) => {
  const config = parseConfig(oneRouter())
  t.deepEqual(config.admin, {
    ip: '127.0.0.1',
    port: 9990,
    shutdownGraceMs: 10_000,
    security: { uiEnabled: true, controlEnabled: true, diagnosticsEnabled: true },
    auth: {},
  })
  t.deepEqual(config.namers, [])
  t.deepEqual(config.telemetry, [])
  t.deepEqual(config.warnings, [])
  const r = first(config)
  t.is(r.protocol, 'http')
  t.is(r.label, 'http')
  t.is(r.at, 'routers[0]')
  t.deepEqual(r.dstPrefix, ['svc'])
  t.deepEqual(r.dtab, [])
  t.is(r.identifier.at, 'routers[0].identifier')
  t.is(typeof r.identifier.make, 'function')
  t.is(r.interpreter.kind, 'default')
  t.is(r.interpreter.at, 'routers[0].interpreter')
  t.deepEqual(r.servers, [
    {
      ip: '127.0.0.1',
      port: 4140,
      clearContext: false,
      literalOverrides: 'loopback',
      at: 'routers[0].servers[0]',
    },
  ])
  t.is(r.client.kind, 'io.l5d.global')
  t.deepEqual(
    r.client.configs.map((c) => [c.prefix.pattern, c.params, c.at]),
    [['/', {}, 'routers[0].client']],
  )
  t.is(r.service.kind, 'io.l5d.global')
  t.deepEqual(
    r.service.configs.map((c) => [c.prefix.pattern, c.params]),
    [['/', {}]],
  )
  t.is(r.bindingTimeoutMs, 10_000)
  t.deepEqual(r.bindingCache, {
    paths: 1000,
    trees: 1000,
    bounds: 1000,
    clients: 1000,
    idleTtlSecs: 600,
  })
  t.is(r.maxHeadersKB, 8)
  t.is(r.maxInitialLineKB, 4)
  t.false('httpAccessLog' in r)
})

test('every supported key', (t) => {
  const config = parseConfig({
    admin: {
      ip: '0.0.0.0',
      port: 9991,
      shutdownGraceMs: 0,
      auth: { control: { tokenEnv: 'ADMIN_TOKEN' } },
    },
    namers: [{ kind: 'io.l5d.fs', rootDir: 'examples/disco' }],
    telemetry: [{ kind: 'io.l5d.prometheus', path: '/metrics', prefix: 'l5d_' }],
    usage: { orgId: 'acme', enabled: false },
    routers: [
      {
        protocol: 'http',
        label: 'out',
        experimental: false,
        dstPrefix: '/http/1.1',
        dtab: '/svc => /#/io.l5d.fs;\n/svc/a => /svc/b',
        identifier: [{ kind: 'io.l5d.path', segments: 1 }, { kind: 'io.l5d.header.token' }],
        interpreter: { kind: 'io.l5d.fs', dtabFile: 'examples/dtabs/canary.dtab' },
        servers: [
          {
            ip: '0.0.0.0',
            port: 4140,
            clearContext: true,
            maxConcurrentRequests: 100,
            dtabOverrides: { literalAddresses: 'all' },
          },
          {
            ip: '::1',
            port: 4141,
            headTimeoutMs: 1000,
            receiveTimeoutMs: 2000,
            idleTimeoutMs: 3000,
          },
        ],
        client: {
          loadBalancer: { kind: 'ewma' },
          requestAttemptTimeoutMs: 500,
          hostConnectionPool: { minSize: 1, maxSize: 10, idleTimeMs: 1000, maxWaiters: 5 },
        },
        service: { totalTimeoutMs: 2000 },
        bindingTimeoutMs: 500,
        bindingCache: { paths: 10, trees: 20, bounds: 30, clients: 40, idleTtlSecs: 50 },
        maxHeadersKB: 16,
        maxInitialLineKB: 8,
        httpAccessLog: 'logs/access.log',
      },
    ],
  })
  t.deepEqual(config.admin, {
    ip: '0.0.0.0',
    port: 9991,
    shutdownGraceMs: 0,
    security: { uiEnabled: true, controlEnabled: true, diagnosticsEnabled: true },
    auth: { control: { tokenEnv: 'ADMIN_TOKEN' } },
  })
  t.deepEqual(
    config.namers.map((n) => [n.kind, showPath(n.prefix), n.at]),
    [['io.l5d.fs', '/#/io.l5d.fs', 'namers[0]']],
  )
  t.deepEqual(config.telemetry, [{ kind: 'io.l5d.prometheus', path: '/metrics', prefix: 'l5d_' }])
  t.deepEqual(config.warnings, [])
  const r = first(config)
  t.is(r.label, 'out')
  t.is(showPath(r.dstPrefix), '/http/1.1')
  t.is(showDtab(r.dtab), '/svc=>/#/io.l5d.fs;/svc/a=>/svc/b')
  t.is(r.interpreter.kind, 'io.l5d.fs')
  t.deepEqual(r.servers, [
    {
      ip: '0.0.0.0',
      port: 4140,
      clearContext: true,
      maxConcurrentRequests: 100,
      literalOverrides: 'all',
      at: 'routers[0].servers[0]',
    },
    {
      ip: '::1',
      port: 4141,
      clearContext: false,
      headTimeoutMs: 1000,
      receiveTimeoutMs: 2000,
      idleTimeoutMs: 3000,
      literalOverrides: 'loopback',
      at: 'routers[0].servers[1]',
    },
  ])
  const params = clientParamsFor(r.client, readPath('/#/io.l5d.fs/users'))
  t.is(typeof params.loadBalancer, 'function')
  t.is(params.requestAttemptTimeoutMs, 500)
  t.deepEqual(params.hostConnectionPool, {
    minSize: 1,
    maxSize: 10,
    idleTimeMs: 1000,
    maxWaiters: 5,
  })
  t.deepEqual(serviceParamsFor(r.service, readPath('/svc/users')), { totalTimeoutMs: 2000 })
  t.is(r.bindingTimeoutMs, 500)
  t.deepEqual(r.bindingCache, { paths: 10, trees: 20, bounds: 30, clients: 40, idleTtlSecs: 50 })
  t.is(r.maxHeadersKB, 16)
  t.is(r.maxInitialLineKB, 8)
  t.is(r.accessLog, 'logs/access.log')
})

test('linkerd keys with no effect here are accepted, each with a warning', (t) => {
  const config = parseConfig({
    admin: { workerThreads: 2, httpIdentifierPort: 9992, socketOptions: { noDelay: true } },
    telemetry: [
      { kind: 'io.l5d.zipkin', host: 'localhost', port: 9410, sampleRate: 0.02 },
      { kind: 'io.l5d.tracelog', sampleRate: 0.2, level: 'INFO' },
      { kind: 'io.l5d.influxdb' },
      { kind: 'io.l5d.statsd', experimental: true },
      { kind: 'io.l5d.recentRequests', sampleRate: 1.0 },
    ],
    routers: [
      {
        protocol: 'http',
        announcers: [{ kind: 'io.l5d.serversets', zkAddrs: [] }],
        originator: true,
        compressionLevel: 9,
        streamingEnabled: true,
        streamAfterContentLengthKB: 5,
        maxErrResponseKB: 10,
        httpAccessLog: 'access.log',
        httpAccessLogRollPolicy: 'daily',
        httpAccessLogAppend: true,
        httpAccessLogRotateCount: -1,
        tracePropagator: { kind: 'io.l5d.default' },
        servers: [
          {
            socketOptions: { reusePort: true },
            addForwardedHeader: { by: { kind: 'ip' } },
            timestampHeader: 'x-ts',
            maxCallDepth: 10,
            serverSession: { idleTimeMs: 1 },
            timeoutMs: 100,
            announce: ['/#/io.l5d.serversets/x'],
            label: 'in',
          },
        ],
        client: {
          failureAccrual: { kind: 'io.l5d.consecutiveFailures', failures: 5 },
          failFast: true,
          requeueBudget: { percentCanRetry: 0.5 },
          clientSession: { idleTimeMs: 1 },
          socketOptions: { keepAlive: true },
          forwardClientCert: false,
        },
        service: {
          responseClassifier: { kind: 'io.l5d.http.retryableRead5XX' },
          retries: { budget: { percentCanRetry: 0.1 } },
        },
      },
    ],
  })
  t.deepEqual(config.warnings, [
    'admin.httpIdentifierPort: accepted but ignored (no effect here)',
    'admin.socketOptions: accepted but ignored (no effect here)',
    'admin.workerThreads: accepted but ignored (no effect here)',
    'telemetry[0]: io.l5d.zipkin is accepted but ignored (not supported here)',
    'telemetry[1]: io.l5d.tracelog is accepted but ignored (not supported here)',
    'telemetry[2]: io.l5d.influxdb is accepted but ignored (not supported here)',
    'telemetry[3]: io.l5d.statsd is accepted but ignored (not supported here)',
    'telemetry[4]: io.l5d.recentRequests is accepted but ignored (not supported here)',
    'routers[0].announcers: accepted but ignored (no effect here)',
    'routers[0].compressionLevel: accepted but ignored (no effect here)',
    'routers[0].httpAccessLogAppend: accepted but ignored (no effect here)',
    'routers[0].httpAccessLogRollPolicy: accepted but ignored (no effect here)',
    'routers[0].httpAccessLogRotateCount: accepted but ignored (no effect here)',
    'routers[0].maxErrResponseKB: accepted but ignored (no effect here)',
    'routers[0].originator: accepted but ignored (no effect here)',
    'routers[0].streamAfterContentLengthKB: accepted but ignored (no effect here)',
    'routers[0].streamingEnabled: accepted but ignored (no effect here)',
    'routers[0].tracePropagator: accepted but ignored (no effect here)',
    'routers[0].servers[0].addForwardedHeader: accepted but ignored (no effect here)',
    'routers[0].servers[0].announce: accepted but ignored (no effect here)',
    'routers[0].servers[0].label: accepted but ignored (no effect here)',
    'routers[0].servers[0].maxCallDepth: accepted but ignored (no effect here)',
    'routers[0].servers[0].serverSession: accepted but ignored (no effect here)',
    'routers[0].servers[0].socketOptions: accepted but ignored (no effect here)',
    'routers[0].servers[0].timeoutMs: accepted but ignored (no effect here)',
    'routers[0].servers[0].timestampHeader: accepted but ignored (no effect here)',
    'routers[0].client.clientSession: accepted but ignored (no effect here)',
    'routers[0].client.forwardClientCert: accepted but ignored (no effect here)',
    'routers[0].client.socketOptions: accepted but ignored (no effect here)',
  ])
  t.deepEqual(config.telemetry, [])
  const service = serviceParamsFor(first(config).service, readPath('/svc/x'))
  t.deepEqual(service.retries?.budget, { percentCanRetry: 0.1, minRetriesPerSec: 10, ttlSecs: 10 })
  t.is(service.responseClassifier?.kind, 'io.l5d.http.retryableRead5XX')
})

test('admin security is kept for the admin server', (t) => {
  const config = parseConfig(
    oneRouter(
      {},
      {
        admin: {
          security: {
            controlEnabled: false,
            pathWhitelist: ['/admin/threads'],
            pathBlacklist: ['/help.*'],
          },
        },
      },
    ),
  )
  t.deepEqual(config.admin.security, {
    uiEnabled: true,
    controlEnabled: false,
    diagnosticsEnabled: true,
    pathWhitelist: ['/admin/threads'],
    pathBlacklist: ['/help.*'],
  })
})

test('several routers: labels, servers on distinct addresses, port 0 any number of times', (t) => {
  const config = parseConfig({
    admin: { port: 0 },
    routers: [
      { protocol: 'http', servers: [{ port: 0 }, { port: 4140 }] },
      { protocol: 'http', label: 'two', servers: [{ port: 0 }, { ip: '127.0.0.2', port: 4140 }] },
      { protocol: 'http', label: 'three', servers: [{ ip: '::1', port: 4140 }] },
    ],
  })
  t.deepEqual(
    config.routers.map((r) => r.label),
    ['http', 'two', 'three'],
  )
})

test('io.l5d.static clients: prefixes match bound ids, later configs win key by key', (t) => {
  const r = first(
    parseConfig(
      oneRouter({
        client: {
          kind: 'io.l5d.static',
          configs: [
            { prefix: '/', requestAttemptTimeoutMs: 1000, hostConnectionPool: { maxSize: 5 } },
            { prefix: '/#/io.l5d.fs/{service}', requestAttemptTimeoutMs: 200 },
            { prefix: '/#/io.l5d.fs/users', hostConnectionPool: { minSize: 1 } },
            { prefix: '/$/inet/*/80', requestAttemptTimeoutMs: 50 },
            { prefix: '/%/io.l5d.port/4141/#/*/users' },
          ],
        },
      }),
    ),
  )
  t.is(r.client.kind, 'io.l5d.static')
  t.deepEqual(clientParamsFor(r.client, readPath('/#/io.l5d.fs/users')), {
    requestAttemptTimeoutMs: 200,
    hostConnectionPool: { minSize: 1 },
  })
  t.deepEqual(clientParamsFor(r.client, readPath('/#/io.l5d.fs/billing')), {
    requestAttemptTimeoutMs: 200,
    hostConnectionPool: { maxSize: 5 },
  })
  t.deepEqual(clientParamsFor(r.client, readPath('/$/inet/127.1/80')), {
    requestAttemptTimeoutMs: 50,
    hostConnectionPool: { maxSize: 5 },
  })
  t.deepEqual(clientParamsFor(r.client, readPath('/$/inet/127.1/8080')), {
    requestAttemptTimeoutMs: 1000,
    hostConnectionPool: { maxSize: 5 },
  })
  t.deepEqual(
    r.client.configs.map((c) => c.at),
    [0, 1, 2, 3, 4].map((i) => `routers[0].client.configs[${i}]`),
  )
})

test('connections to backends are bounded when nothing is configured; client keys override', (t) => {
  const none = first(parseConfig(oneRouter()))
  t.deepEqual(upstreamSettingsFor(none.client, readPath('/$/inet/127.1/80')), {
    responseTimeoutMs: 60_000,
    maxSize: 1024,
    maxWaiters: 1024,
    idleTimeMs: 60_000,
  })
  const client = { responseTimeoutMs: 500, hostConnectionPool: { maxSize: 4, maxWaiters: 0 } }
  const some = first(parseConfig(oneRouter({ client })))
  t.like(upstreamSettingsFor(some.client, readPath('/#/io.l5d.fs/users')), {
    responseTimeoutMs: 500,
    maxSize: 4,
    maxWaiters: 0,
    idleTimeMs: 60_000,
  })
})

test('io.l5d.static services: prefixes match logical names', (t) => {
  const r = first(
    parseConfig(
      oneRouter({
        service: {
          kind: 'io.l5d.static',
          configs: [
            { prefix: '/svc', totalTimeoutMs: 500 },
            { prefix: '/svc/foo', totalTimeoutMs: 1000 },
            { prefix: '/svc/*/v2', totalTimeoutMs: 3000 },
          ],
        },
      }),
    ),
  )
  t.deepEqual(serviceParamsFor(r.service, readPath('/svc/bar')), { totalTimeoutMs: 500 })
  t.deepEqual(serviceParamsFor(r.service, readPath('/svc/foo/x')), { totalTimeoutMs: 1000 })
  t.deepEqual(serviceParamsFor(r.service, readPath('/svc/foo/v2')), { totalTimeoutMs: 3000 })
  t.deepEqual(serviceParamsFor(r.service, readPath('/other')), {})
})

const R = 'routers[0]'

const bad: [what: string, raw: unknown, message: string][] = [
  ['not an object', [], '(top level): expected an object with a "routers" list'],
  ['null (an empty file)', null, '(top level): expected an object with a "routers" list'],
  ['no routers', {}, 'routers: required (at least one router)'],
  ['empty routers', { routers: [] }, 'routers: at least one router is required'],
  ['routers not a list', { routers: {} }, 'routers: expected a list, got an object'],
  ['unknown top-level key', oneRouter({}, { router: [] }), '(top level): unknown key(s): router'],
  // admin
  [
    'admin not an object',
    oneRouter({}, { admin: 9990 }),
    'admin: expected an object, got number 9990',
  ],
  ['admin unknown key', oneRouter({}, { admin: { prot: 1 } }), 'admin: unknown key(s): prot'],
  [
    'admin host name',
    oneRouter({}, { admin: { ip: 'localhost' } }),
    'admin.ip: expected an IP address such as 127.0.0.1 or 0.0.0.0, got "localhost"',
  ],
  [
    'admin port',
    oneRouter({}, { admin: { port: 70000 } }),
    'admin.port: expected an integer in [0, 65535], got number 70000',
  ],
  [
    'admin tls without a key',
    oneRouter({}, { admin: { tls: { certPath: 'c' } } }),
    'admin.tls.keyPath: required',
  ],
  [
    'admin auth: a literal token',
    oneRouter({}, { admin: { auth: { control: { token: 's3cr3t' } } } }),
    'admin.auth.control.token: a token is never written in the config file; use tokenFile (a path) or tokenEnv (an environment variable)',
  ],
  [
    'admin security key',
    oneRouter({}, { admin: { security: { uiEnabld: false } } }),
    'admin.security: unknown key(s): uiEnabld',
  ],
  [
    'admin security regex',
    oneRouter({}, { admin: { security: { pathWhitelist: ['(['] } } }),
    'admin.security.pathWhitelist[0]: not a regular expression: Invalid regular expression: /([/: Unterminated character class',
  ],
  // telemetry and usage
  [
    'unknown telemeter',
    oneRouter({}, { telemetry: [{ kind: 'io.l5d.foo' }] }),
    'telemetry[0].kind: unknown kind "io.l5d.foo" (known: io.l5d.prometheus, io.l5d.influxdb, io.l5d.recentRequests, io.l5d.statsd, io.l5d.tracelog, io.l5d.zipkin)',
  ],
  ['telemeter without kind', oneRouter({}, { telemetry: [{}] }), 'telemetry[0].kind: required'],
  [
    'prometheus key',
    oneRouter({}, { telemetry: [{ kind: 'io.l5d.prometheus', pth: '/m' }] }),
    'telemetry[0]: unknown key(s): pth',
  ],
  [
    'prometheus path',
    oneRouter({}, { telemetry: [{ kind: 'io.l5d.prometheus', path: 'm' }] }),
    'telemetry[0].path: must start with "/"',
  ],
  ['usage key', oneRouter({}, { usage: { enable: false } }), 'usage: unknown key(s): enable'],
  // routers
  ['no protocol', { routers: [{ servers: [{}] }] }, 'routers[0].protocol: required'],
  [
    'thrift',
    { routers: [{ protocol: 'thrift', servers: [{}] }] },
    'routers[0].protocol: protocol "thrift" exists in linkerd but is not supported here yet (known: http, h2)',
  ],
  [
    'unknown protocol',
    { routers: [{ protocol: 'plain', servers: [{}] }] },
    'routers[0].protocol: unknown protocol "plain" (known: http, h2)',
  ],
  ['unknown router key', oneRouter({ dtabs: '/a=>/b' }), 'routers[0]: unknown key(s): dtabs'],
  [
    'h2 key in an http router',
    oneRouter({ h2AccessLog: 'x' }),
    'routers[0].h2AccessLog: an h2 router key, not one of protocol http',
  ],
  ['empty label', oneRouter({ label: '' }), 'routers[0].label: must not be empty'],
  [
    'duplicate labels',
    {
      routers: [
        { protocol: 'http', servers: [{}] },
        { protocol: 'http', servers: [{ port: 4141 }] },
      ],
    },
    'routers[1].label: label "http" is already used by routers[0] (router labels must be unique)',
  ],
  [
    'bad dtab',
    oneRouter({ dtab: '/svc => ' }),
    `${R}.dtab: '(', '/', '!', '~' or '$' expected but end of input found at line 1, column 9: '/svc => []'`,
  ],
  [
    'dtab not a string',
    oneRouter({ dtab: ['/a=>/b'] }),
    `${R}.dtab: expected a string, got a list`,
  ],
  [
    'bad dstPrefix',
    oneRouter({ dstPrefix: 'svc' }),
    `${R}.dstPrefix: '/' expected but 's' found at line 1, column 1: '[s]vc'`,
  ],
  [
    'bindingTimeoutMs',
    oneRouter({ bindingTimeoutMs: 0 }),
    `${R}.bindingTimeoutMs: expected an integer in [1, 2147483647], got number 0`,
  ],
  [
    'bindingCache key',
    oneRouter({ bindingCache: { path: 1 } }),
    `${R}.bindingCache: unknown key(s): path`,
  ],
  [
    'bindingCache size',
    oneRouter({ bindingCache: { paths: 0 } }),
    `${R}.bindingCache.paths: expected an integer in [1, Infinity], got number 0`,
  ],
  [
    'maxHeadersKB',
    oneRouter({ maxHeadersKB: '8' }),
    `${R}.maxHeadersKB: expected an integer in [1, Infinity], got string "8"`,
  ],
  [
    'httpAccessLog',
    oneRouter({ httpAccessLog: true }),
    `${R}.httpAccessLog: expected a string, got boolean true`,
  ],
  // identifier and interpreter (their modules' messages, at the router's locations)
  [
    'unknown identifier',
    oneRouter({ identifier: { kind: 'io.l5d.foo' } }),
    `${R}.identifier.kind: unknown kind "io.l5d.foo" (known: io.l5d.header.token, io.l5d.header, io.l5d.methodAndHost, io.l5d.path, io.l5d.static)`,
  ],
  [
    'identifier list item',
    oneRouter({ identifier: [{ kind: 'io.l5d.path' }, { kind: 'io.l5d.path', segmnts: 1 }] }),
    `${R}.identifier[1]: unknown key(s): segmnts`,
  ],
  [
    'namerd interpreter',
    oneRouter({ interpreter: { kind: 'io.l5d.namerd', dst: '/$/inet/127.1/4100' } }),
    `${R}.interpreter.kind: kind "io.l5d.namerd" exists in linkerd but is not supported here yet (known: default, io.l5d.fs, io.l5d.namerd.http)`,
  ],
  [
    'interpreter transformers',
    oneRouter({ interpreter: { transformers: [{ kind: 'io.l5d.port', port: 0 }] } }),
    `${R}.interpreter.transformers[0].port: expected an integer in [1, 65535], got number 0`,
  ],
  // servers
  [
    'no servers',
    { routers: [{ protocol: 'http' }] },
    'routers[0].servers: required (at least one server)',
  ],
  [
    'empty servers',
    oneRouter({ servers: [] }),
    'routers[0].servers: at least one server is required',
  ],
  ['server key', oneRouter({ servers: [{ prot: 1 }] }), `${R}.servers[0]: unknown key(s): prot`],
  [
    'server port',
    oneRouter({ servers: [{ port: -1 }] }),
    `${R}.servers[0].port: expected an integer in [0, 65535], got number -1`,
  ],
  [
    'server ip',
    oneRouter({ servers: [{ ip: '127.0.0.256' }] }),
    `${R}.servers[0].ip: expected an IP address such as 127.0.0.1 or 0.0.0.0, got "127.0.0.256"`,
  ],
  [
    'server tls client auth without a CA',
    oneRouter({ servers: [{ tls: { certPath: 'c', keyPath: 'k', requireClientAuth: true } }] }),
    `${R}.servers[0].tls.caCertPath: required when requireClientAuth is true (the CA that signs client certificates)`,
  ],
  [
    'clearContext',
    oneRouter({ servers: [{ clearContext: 'yes' }] }),
    `${R}.servers[0].clearContext: expected true or false, got string "yes"`,
  ],
  [
    'dtabOverrides.literalAddresses',
    oneRouter({ servers: [{ dtabOverrides: { literalAddresses: 'yes' } }] }),
    `${R}.servers[0].dtabOverrides.literalAddresses: unknown value "yes" (known: loopback, all, none)`,
  ],
  [
    'dtabOverrides keys',
    oneRouter({ servers: [{ dtabOverrides: { literal: 'all' } }] }),
    `${R}.servers[0].dtabOverrides: unknown key(s): literal`,
  ],
  [
    'maxConcurrentRequests',
    oneRouter({ servers: [{ maxConcurrentRequests: 0 }] }),
    `${R}.servers[0].maxConcurrentRequests: expected an integer in [1, Infinity], got number 0`,
  ],
  [
    'headTimeoutMs',
    oneRouter({ servers: [{ headTimeoutMs: 0 }] }),
    `${R}.servers[0].headTimeoutMs: expected an integer in [1, 2147483647], got number 0`,
  ],
  [
    'receiveTimeoutMs',
    oneRouter({ servers: [{ receiveTimeoutMs: '5s' }] }),
    `${R}.servers[0].receiveTimeoutMs: expected an integer in [1, 2147483647], got string "5s"`,
  ],
  [
    'idleTimeoutMs',
    oneRouter({ servers: [{ idleTimeoutMs: 1.5 }] }),
    `${R}.servers[0].idleTimeoutMs: expected an integer in [1, 2147483647], got number 1.5`,
  ],
  [
    'same ip:port in one router',
    oneRouter({ servers: [{}, { port: 4140 }] }),
    `${R}.servers[1]: 127.0.0.1:4140 is already used by routers[0].servers[0]`,
  ],
  [
    'same port across routers',
    {
      routers: [
        { protocol: 'http', servers: [{}] },
        { protocol: 'http', label: 'b', servers: [{ ip: '0.0.0.0' }] },
      ],
    },
    'routers[1].servers[0]: 0.0.0.0:4140 is already used by routers[0].servers[0]',
  ],
  [
    'ipv6 wildcard',
    {
      routers: [
        { protocol: 'http', servers: [{ ip: '::', port: 80 }] },
        { protocol: 'http', label: 'b', servers: [{ ip: '10.0.0.1', port: 80 }] },
      ],
    },
    'routers[1].servers[0]: 10.0.0.1:80 is already used by routers[0].servers[0]',
  ],
  [
    'ipv6 spelled twice',
    oneRouter({
      servers: [
        { ip: '::1', port: 80 },
        { ip: '0:0:0:0:0:0:0:1', port: 80 },
      ],
    }),
    `${R}.servers[1]: [::1]:80 is already used by routers[0].servers[0]`,
  ],
  [
    'server on the admin port',
    oneRouter({ servers: [{ port: 9990 }] }),
    `${R}.servers[0]: 127.0.0.1:9990 is already used by admin`,
  ],
  // client
  [
    'client kind',
    oneRouter({ client: { kind: 'io.l5d.foo' } }),
    `${R}.client.kind: unknown kind "io.l5d.foo" (known: io.l5d.global, io.l5d.static)`,
  ],
  ['client key', oneRouter({ client: { retries: {} } }), `${R}.client: unknown key(s): retries`],
  [
    'client tls without commonName',
    oneRouter({ client: { tls: { trustCerts: ['/ca.pem'] } } }),
    `${R}.client.tls.commonName: required unless disableValidation is true`,
  ],
  [
    'client tls disableValidation with clientAuth',
    oneRouter({
      client: {
        tls: { disableValidation: true, clientAuth: { certPath: '/c.pem', keyPath: '/k.pem' } },
      },
    }),
    `${R}.client.tls.clientAuth: cannot be combined with disableValidation: true`,
  ],
  [
    'client tls commonName capture not in the prefix',
    oneRouter({ client: { tls: { commonName: '{service}.test' } } }),
    `${R}.client.tls.commonName: {service} is not captured by the prefix "/"`,
  ],
  [
    'client requestAuthorizers',
    oneRouter({ client: { requestAuthorizers: [] } }),
    `${R}.client.requestAuthorizers: requestAuthorizers is not supported here yet`,
  ],
  [
    'static without configs',
    oneRouter({ client: { kind: 'io.l5d.static' } }),
    `${R}.client.configs: required for io.l5d.static`,
  ],
  [
    'static with global keys',
    oneRouter({ client: { kind: 'io.l5d.static', configs: [], requestAttemptTimeoutMs: 1 } }),
    `${R}.client: unknown key(s): requestAttemptTimeoutMs`,
  ],
  [
    'global with configs',
    oneRouter({ client: { configs: [] } }),
    `${R}.client: unknown key(s): configs`,
  ],
  [
    'static config without prefix',
    oneRouter({ client: { kind: 'io.l5d.static', configs: [{ requestAttemptTimeoutMs: 1 }] } }),
    `${R}.client.configs[0].prefix: required`,
  ],
  [
    'static config bad prefix',
    oneRouter({ client: { kind: 'io.l5d.static', configs: [{ prefix: '#/io.l5d.fs' }] } }),
    `${R}.client.configs[0].prefix: invalid path pattern "#/io.l5d.fs": it must start with "/"`,
  ],
  [
    'static config tls clientAuth without keyPath',
    oneRouter({
      client: {
        kind: 'io.l5d.static',
        configs: [{ prefix: '/', tls: { commonName: 'x', clientAuth: { certPath: '/c.pem' } } }],
      },
    }),
    `${R}.client.configs[0].tls.clientAuth.keyPath: required`,
  ],
  [
    'static config key',
    oneRouter({ client: { kind: 'io.l5d.static', configs: [{ prefix: '/', timeoutMs: 1 }] } }),
    `${R}.client.configs[0]: unknown key(s): timeoutMs`,
  ],
  [
    'requestAttemptTimeoutMs',
    oneRouter({ client: { requestAttemptTimeoutMs: 0 } }),
    `${R}.client.requestAttemptTimeoutMs: expected an integer in [1, 2147483647], got number 0`,
  ],
  [
    'responseTimeoutMs',
    oneRouter({ client: { responseTimeoutMs: 0 } }),
    `${R}.client.responseTimeoutMs: expected an integer in [1, 2147483647], got number 0`,
  ],
  [
    'hostConnectionPool key',
    oneRouter({ client: { hostConnectionPool: { max: 1 } } }),
    `${R}.client.hostConnectionPool: unknown key(s): max`,
  ],
  [
    'hostConnectionPool sizes',
    oneRouter({ client: { hostConnectionPool: { minSize: 5, maxSize: 1 } } }),
    `${R}.client.hostConnectionPool.minSize: must not exceed maxSize (1)`,
  ],
  [
    'unknown balancer',
    oneRouter({ client: { loadBalancer: { kind: 'random' } } }),
    `${R}.client.loadBalancer.kind: unknown kind "random" (known: p2c, ewma, roundRobin)`,
  ],
  [
    'aperture balancer',
    oneRouter({ client: { loadBalancer: { kind: 'aperture' } } }),
    `${R}.client.loadBalancer.kind: kind "aperture" exists in linkerd but is not supported here (known: p2c, ewma, roundRobin)`,
  ],
  // service
  [
    'service key',
    oneRouter({ service: { requestAttemptTimeoutMs: 1 } }),
    `${R}.service: unknown key(s): requestAttemptTimeoutMs`,
  ],
  [
    'totalTimeoutMs',
    oneRouter({ service: { totalTimeoutMs: 1.5 } }),
    `${R}.service.totalTimeoutMs: expected an integer in [1, 2147483647], got number 1.5`,
  ],
  [
    'static service prefix',
    oneRouter({ service: { kind: 'io.l5d.static', configs: [{ prefix: '/svc/a*' }] } }),
    `${R}.service.configs[0].prefix: invalid path pattern "/svc/a*": "*" must be a whole segment`,
  ],
  // namers (their module's checks, reached from the file)
  [
    'namer kind we lack',
    { namers: [{ kind: 'io.l5d.consul' }], ...oneRouter() },
    'namers[0].kind: kind "io.l5d.consul" exists in linkerd but is not supported here (known: io.l5d.fs, io.l5d.rewrite)',
  ],
]

for (const [what, raw, message] of bad) {
  test(`bad config: ${what}`, (t) => {
    t.throws(() => parseConfig(raw), { message, code: 'ERR_CONFIG' })
  })
}

test('ip keys are read as linkerd reads them and kept in canonical form', (t) => {
  const c = parseConfig({
    admin: { ip: '127.1' },
    routers: [{ protocol: 'http', servers: [{ ip: '0' }] }],
  })
  t.is(c.admin.ip, '127.0.0.1')
  t.is(c.routers[0]?.servers[0]?.ip, '0.0.0.0')
})

test('server and admin tls: paths kept (no file is read while parsing)', (t) => {
  const tls = { certPath: '/no/cert.pem', keyPath: '/no/key.pem' }
  const config = parseConfig(oneRouter({ servers: [{ tls }] }, { admin: { tls } }))
  const expected = { ...tls, requireClientAuth: false, protocols: ['TLSv1.2', 'TLSv1.3'] }
  t.deepEqual(first(config).servers[0]?.tls, expected)
  t.deepEqual(config.admin.tls, expected)
  t.is(first(parseConfig(oneRouter())).servers[0]?.tls, undefined)
})
