/** `protocol: h2` routers in config: linkerd's h2 keys, defaults, and the other protocol's keys. */
import test from 'ava'
import { errorMessage } from '../../lib/errors.js'
import { readPath } from '../../dtabs/index.js'
import {
  clientParamsFor,
  h2SettingsFor,
  parseConfig,
  serviceParamsFor,
  upstreamSettingsFor,
  type HttpRouterConfig,
} from './index.js'
import { servicePolicy } from '../core/service-policy.js'

const h2Router = (extra: Record<string, unknown> = {}, server: Record<string, unknown> = {}) => ({
  routers: [{ protocol: 'h2', servers: [server], ...extra }],
})
const first = (raw: unknown): HttpRouterConfig => parseConfig(raw).routers[0] as HttpRouterConfig
const thrown = (raw: unknown): string => {
  try {
    parseConfig(raw)
    return '(no error)'
  } catch (e) {
    return errorMessage(e)
  }
}

test('h2 defaults: port 4142, label h2, the :authority identifier, default settings', (t) => {
  const config = parseConfig(h2Router())
  t.deepEqual(config.warnings, [])
  const r = config.routers[0] as HttpRouterConfig
  t.is(r.protocol, 'h2')
  t.is(r.label, 'h2')
  t.deepEqual(r.servers, [
    {
      ip: '127.0.0.1',
      port: 4142,
      clearContext: false,
      literalOverrides: 'loopback',
      h2: {},
      at: 'routers[0].servers[0]',
    },
  ])
  t.is(r.accessLog, undefined)
  const identify = r.identifier.make({ prefix: r.dstPrefix })
  const head = { method: 'POST', url: '/p.S/M', httpVersion: '2.0' }
  t.like(identify({ ...head, headers: { ':authority': 'users:80' } }), {
    ok: true,
    dst: ['svc', 'users:80'],
  })
  t.deepEqual(h2SettingsFor(r.client, readPath('/#/io.l5d.fs/users')), {})
  const policy = servicePolicy(serviceParamsFor(r.service, readPath('/svc/users')))
  t.is(policy.classificationTimeoutMs, 100)
  t.deepEqual(policy.buffer, { requestBytes: 16_383, responseBytes: 16_383 })
})

test('every h2 server key', (t) => {
  const config = parseConfig(
    h2Router(
      {},
      {
        port: 4143,
        ip: '0.0.0.0',
        clearContext: true,
        maxConcurrentRequests: 50,
        idleTimeoutMs: 30_000,
        receiveTimeoutMs: 60_000,
        windowUpdateRatio: 0.75,
        headerTableBytes: 8192,
        initialStreamWindowBytes: 1_048_576,
        maxConcurrentStreamsPerConnection: 300,
        maxFrameBytes: 32_768,
        maxHeaderListBytes: 16_384,
        maxCallDepth: 10,
        addForwardedHeader: { by: { kind: 'ip:port' }, for: { kind: 'ip:port' } },
        dtabOverrides: { literalAddresses: 'none' },
      },
    ),
  )
  const s = (config.routers[0] as HttpRouterConfig).servers[0]
  t.like(s, { port: 4143, ip: '0.0.0.0', clearContext: true, maxConcurrentRequests: 50 })
  t.like(s, { idleTimeoutMs: 30_000, receiveTimeoutMs: 60_000 })
  t.is(s?.literalOverrides, 'none')
  t.deepEqual(s?.h2, {
    headerTableBytes: 8192,
    initialStreamWindowBytes: 1_048_576,
    maxConcurrentStreamsPerConnection: 300,
    maxFrameBytes: 32_768,
    maxHeaderListBytes: 16_384,
  })
  t.deepEqual(config.warnings, [
    'routers[0].servers[0].addForwardedHeader: accepted but ignored (no effect here)',
    'routers[0].servers[0].maxCallDepth: accepted but ignored (no effect here)',
    "routers[0].servers[0].windowUpdateRatio: accepted but ignored (no effect here: Node's HTTP/2 sends window updates itself)",
  ])
})

test("linkerd's docs' maxHeaderListByts is read as maxHeaderListBytes, with a warning", (t) => {
  const config = parseConfig(h2Router({}, { maxHeaderListByts: 4096 }))
  t.deepEqual((config.routers[0] as HttpRouterConfig).servers[0]?.h2, { maxHeaderListBytes: 4096 })
  t.deepEqual(config.warnings, [
    "routers[0].servers[0].maxHeaderListByts: read as maxHeaderListBytes (the spelling in linkerd's h2 docs)",
  ])
  t.is(
    thrown(h2Router({}, { maxHeaderListByts: 1, maxHeaderListBytes: 2 })),
    'routers[0].servers[0].maxHeaderListByts: give maxHeaderListBytes only',
  )
})

test('h2 router keys: the access log and its rolling keys, the trace propagator', (t) => {
  const config = parseConfig(
    h2Router({
      h2AccessLog: 'logs/access.log',
      h2AccessLogRollPolicy: 'daily',
      h2AccessLogAppend: true,
      h2AccessLogRotateCount: -1,
      tracePropagator: { kind: 'io.l5d.zipkin' },
      label: 'grpc',
      dstPrefix: '/grpc',
      bindingTimeoutMs: 500,
    }),
  )
  const r = config.routers[0] as HttpRouterConfig
  t.like(r, { accessLog: 'logs/access.log', label: 'grpc', bindingTimeoutMs: 500 })
  t.deepEqual(r.dstPrefix, ['grpc'])
  t.deepEqual(config.warnings, [
    'routers[0].tracePropagator: accepted but ignored (no effect here)',
    'routers[0].h2AccessLogAppend: accepted but ignored (no effect here)',
    'routers[0].h2AccessLogRollPolicy: accepted but ignored (no effect here)',
    'routers[0].h2AccessLogRotateCount: accepted but ignored (no effect here)',
  ])
})

test('h2 client keys per prefix, merged setting by setting; pool sizes warned', (t) => {
  const config = parseConfig(
    h2Router({
      client: {
        kind: 'io.l5d.static',
        configs: [
          { prefix: '/#/io.l5d.fs/*', initialStreamWindowBytes: 1_048_576, maxFrameBytes: 20_000 },
          {
            prefix: '/#/io.l5d.fs/users',
            maxFrameBytes: 65_536,
            headerTableBytes: 0,
            maxHeaderListBytes: 32_768,
            windowUpdateRatio: 0.5,
            hostConnectionPool: { maxSize: 10, idleTimeMs: 5000, maxWaiters: 7 },
            requestAttemptTimeoutMs: 300,
            responseTimeoutMs: 5000,
            failFast: true,
          },
        ],
      },
    }),
  )
  const r = config.routers[0] as HttpRouterConfig
  const users = readPath('/#/io.l5d.fs/users')
  t.deepEqual(h2SettingsFor(r.client, users), {
    initialStreamWindowBytes: 1_048_576,
    maxFrameBytes: 65_536,
    headerTableBytes: 0,
    maxHeaderListBytes: 32_768,
  })
  t.deepEqual(h2SettingsFor(r.client, readPath('/#/io.l5d.fs/billing')), {
    initialStreamWindowBytes: 1_048_576,
    maxFrameBytes: 20_000,
  })
  const params = clientParamsFor(r.client, users)
  t.like(params, { requestAttemptTimeoutMs: 300, responseTimeoutMs: 5000, failFast: true })
  t.like(upstreamSettingsFor(r.client, users), { idleTimeMs: 5000, maxWaiters: 7 })
  t.deepEqual(config.warnings, [
    "routers[0].client.configs[1].windowUpdateRatio: accepted but ignored (no effect here: Node's HTTP/2 sends window updates itself)",
    'routers[0].client.configs[1].hostConnectionPool.maxSize: accepted but ignored (h2 clients keep one session per endpoint, its streams multiplexed)',
  ])
})

test('h2 service keys: classificationTimeoutMs and retryBufferSize', (t) => {
  const r = first(
    h2Router({
      service: {
        kind: 'io.l5d.static',
        configs: [
          {
            prefix: '/svc/users',
            classificationTimeoutMs: 250,
            retryBufferSize: { requestBytes: 1024 },
            totalTimeoutMs: 900,
          },
        ],
      },
    }),
  )
  const policy = servicePolicy(serviceParamsFor(r.service, readPath('/svc/users')))
  t.is(policy.classificationTimeoutMs, 250)
  t.deepEqual(policy.buffer, { requestBytes: 1024, responseBytes: 16_383 })
  t.is(policy.totalTimeoutMs, 900)
})

test('bad h2 values and the other protocol keys are errors naming their location', (t) => {
  const S = 'routers[0].servers[0]'
  const cases: [unknown, string][] = [
    [
      h2Router({}, { windowUpdateRatio: 1 }),
      `${S}.windowUpdateRatio: must be between 0 and 1, exclusive`,
    ],
    [
      h2Router({}, { windowUpdateRatio: 'x' }),
      `${S}.windowUpdateRatio: expected a number in [0, 1], got string "x"`,
    ],
    [
      h2Router({}, { maxFrameBytes: 1000 }),
      `${S}.maxFrameBytes: expected an integer in [16384, 16777215], got number 1000`,
    ],
    [
      h2Router({}, { initialStreamWindowBytes: 2 ** 31 }),
      `${S}.initialStreamWindowBytes: expected an integer in [0, 2147483647], got number 2147483648`,
    ],
    [
      h2Router({}, { maxConcurrentStreamsPerConnection: 0 }),
      `${S}.maxConcurrentStreamsPerConnection: expected an integer in [1, 4294967295], got number 0`,
    ],
    [h2Router({}, { maxHeaderListBites: 1 }), `${S}: unknown key(s): maxHeaderListBites`],
    // http keys on an h2 router
    [
      h2Router({ httpAccessLog: 'a.log' }),
      'routers[0].httpAccessLog: an http router key, not one of protocol h2; h2 routers use h2AccessLog',
    ],
    [
      h2Router({ maxHeadersKB: 16 }),
      'routers[0].maxHeadersKB: an http router key, not one of protocol h2; h2 routers use servers[].maxHeaderListBytes',
    ],
    [
      h2Router({ streamingEnabled: false }),
      'routers[0].streamingEnabled: an http router key, not one of protocol h2',
    ],
    [
      h2Router({ compressionLevel: 9 }),
      'routers[0].compressionLevel: an http router key, not one of protocol h2',
    ],
    [
      h2Router({}, { headTimeoutMs: 5 }),
      `${S}.headTimeoutMs: an http server key, not one of protocol h2`,
    ],
    [
      h2Router({}, { idleTimeoutMs: 0 }),
      `${S}.idleTimeoutMs: expected an integer in [1, 2147483647], got number 0`,
    ],
    [
      h2Router({}, { timestampHeader: 'x-ts' }),
      `${S}.timestampHeader: an http server key, not one of protocol h2`,
    ],
    [
      h2Router({ client: { maxConcurrentStreamsPerConnection: 5 } }),
      'routers[0].client: unknown key(s): maxConcurrentStreamsPerConnection',
    ],
    [
      h2Router({ identifier: { kind: 'io.l5d.path' } }),
      `routers[0].identifier.kind: kind "io.l5d.path" identifies http requests, and this router's protocol is h2 (known: io.l5d.header.token, io.l5d.header.path, io.l5d.header, io.l5d.static)`,
    ],
    [
      h2Router({ service: { responseClassifier: { kind: 'io.l5d.http.retryableRead5XX' } } }),
      `routers[0].service.responseClassifier.kind: "io.l5d.http.retryableRead5XX" classifies http responses, and this router's protocol is h2 (use io.l5d.h2.retryableRead5XX)`,
    ],
    // h2 keys on an http router
    [
      {
        routers: [
          {
            protocol: 'http',
            servers: [{}],
            service: { responseClassifier: { kind: 'io.l5d.h2.grpc.default' } },
          },
        ],
      },
      `routers[0].service.responseClassifier.kind: "io.l5d.h2.grpc.default" classifies h2 responses, and this router's protocol is http`,
    ],
    [
      { routers: [{ protocol: 'http', servers: [{ maxConcurrentStreamsPerConnection: 5 }] }] },
      `${S}.maxConcurrentStreamsPerConnection: an h2 server key, not one of protocol http`,
    ],
    [
      { routers: [{ protocol: 'http', servers: [{}], client: { initialStreamWindowBytes: 5 } }] },
      'routers[0].client.initialStreamWindowBytes: an h2 client key, not one of protocol http',
    ],
    [
      {
        routers: [{ protocol: 'http', servers: [{}], service: { classificationTimeoutMs: 5 } }],
      },
      'routers[0].service.classificationTimeoutMs: an h2 service key, not one of protocol http',
    ],
    [
      { routers: [{ protocol: 'http', servers: [{}], h2AccessLogAppend: true }] },
      'routers[0].h2AccessLogAppend: an h2 router key, not one of protocol http',
    ],
  ]
  for (const [raw, expected] of cases) t.is(thrown(raw), expected, JSON.stringify(raw))
})

test('an h2 and an http router side by side: default ports do not clash', (t) => {
  const config = parseConfig({
    routers: [
      { protocol: 'http', servers: [{}] },
      { protocol: 'h2', servers: [{}] },
    ],
  })
  t.deepEqual(
    config.routers.map((r) => [r.protocol, r.label, r.servers[0]?.port]),
    [
      ['http', 'http', 4140],
      ['h2', 'h2', 4142],
    ],
  )
  t.is(
    thrown({
      routers: [
        { protocol: 'http', servers: [{ port: 4142 }] },
        { protocol: 'h2', servers: [{}] },
      ],
    }),
    'routers[1].servers[0]: 127.0.0.1:4142 is already used by routers[0].servers[0]',
  )
})
