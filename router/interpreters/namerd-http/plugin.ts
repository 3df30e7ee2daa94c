/**
 * `io.l5d.namerd.http`: names are bound by namerd, through its HTTP streaming API, and follow
 * every change namerd makes (docs/namerd.md, "The router side"). The router's own namers bind
 * no names (only a `/#/…` dst, to find namerd's replicas); its `dtab` is sent to namerd before
 * each request's override, as linkerd does.
 *
 *   interpreter:
 *     kind: io.l5d.namerd.http
 *     experimental: true          # linkerd required it; accepted, not required
 *     dst: /$/inet/127.0.0.1/4180 # or /#/io.l5d.fs/namerd: replicas found by the router's namers
 *     namespace: default
 *     retry: { baseSeconds: 1, maxSeconds: 30 }
 *     tls:                        # linkerd's client TLS keys; the files are read at start,
 *                                 # and again when they change (by the router: InterpreterEnv)
 *       commonName: namerd        # the name namerd's certificate must carry
 *       trustCerts: [/certs/ca.pem]
 *       clientAuth: { certPath: /certs/router.pem, keyPath: /certs/router-key.pem }
 */
import { readPath, showPath, type Path } from '../../../dtabs/index.js'
import { ConfigError, Section } from '../../../lib/config/section.js'
import type { NamerdTls, RetryOptions } from '../../../lib/namerd-client/index.js'
import { parseClientTls, type ClientTlsConfig } from '../../../lib/tls/client-config.js'
import { upstreamTls, type ClientTlsFiles } from '../../net/upstream-tls-files.js'
import type { Interpreter } from '../../model.js'
import type { InterpreterEnv, InterpreterPlugin, ReadsClientTls } from '../index.js'
import { NamerdInterpreter } from './interpreter.js'
import { NamerdAddress } from './namerd-address.js'
import { interpreterMetrics } from './metrics.js'

export const namerdHttpInterpreter: InterpreterPlugin = {
  kind: 'io.l5d.namerd.http',
  parse(s) {
    const dst = parseDst(s)
    const namespace = s.string('namespace', 'default')
    if (namespace === '') throw new ConfigError(s.where('namespace'), 'must not be empty')
    const retry = parseRetry(s.section('retry'))
    const tlsConfig = parseTls(s)
    const placed = tlsConfig?.enabled === true ? { tls: tlsConfig, at: s.where('tls') } : undefined
    const make = function makeNamerdHttpInterpreter(env: InterpreterEnv): Interpreter {
      const tls = placed && namerdTls(placed.tls, placed.at, env.clientTls)
      const scheme = tls === undefined ? 'http' : 'https'
      const stats = env.stats === undefined ? undefined : interpreterMetrics(env.stats)
      const address = 'path' in dst ? new NamerdAddress(dst.path, env.namers, scheme) : undefined
      const interpreter: NamerdInterpreter = new NamerdInterpreter({
        // With replicas, each connection's origin comes from `address`; `base` only shapes URLs.
        base: `${scheme}://${'base' in dst ? dst.base : 'namerd'}`,
        tls,
        address,
        namespace,
        retry,
        routerDtab: env.dtab,
        lingerMs: 10_000,
        cacheSize: env.cache?.maxSize,
        cacheIdleTtlMs: env.cache?.idleTtlMs,
        delegateTimeoutMs: env.delegateTimeoutMs,
        maxNodes: env.bindingNodeLimit,
        now: env.now,
        log: env.log,
        onReconnect: () => stats?.reconnected(),
        onUpdate: () => stats?.updated(),
      })
      stats?.follow(() => interpreter.health())
      env.namerdAt?.(() => interpreter.namerdAddresses())
      return interpreter
    }
    // The router opens these files with its own, and watches them (router/start.ts).
    const reads: ReadsClientTls = placed === undefined ? {} : { clientTls: placed }
    return Object.assign(make, reads)
  },
}

/** Where namerd is: one fixed `host:port`, or a path the router's namers resolve to its replicas. */
type NamerdDst = { readonly base: string } | { readonly path: Path }

/**
 * `dst`, in linkerd's form: `/$/inet/<host>/<port>` (one namerd) or a `/#/<namer>/…` path that
 * the router's namers resolve to namerd's replicas (e.g. an io.l5d.fs file listing them).
 */
function parseDst(s: Section): NamerdDst {
  const at = s.where('dst')
  const dst: Path = s.value('dst', readPath, readPath('/$/inet/127.0.0.1/4180'))
  const [first, inet, host, port, ...rest] = dst
  if (first === '#' && dst.length > 2) return { path: dst }
  const portNumber = Number(port)
  const valid =
    first === '$' &&
    (inet === 'inet' || inet === 'fixedinet') &&
    host !== undefined &&
    host !== '' &&
    rest.length === 0 &&
    Number.isInteger(portNumber) &&
    portNumber > 0 &&
    portNumber < 65536
  if (!valid) {
    throw new ConfigError(
      at,
      `expected /$/inet/<host>/<port> or /#/<namer>/…, got ${showPath(dst)}`,
    )
  }
  return { base: `${host.includes(':') ? `[${host}]` : host}:${portNumber}` }
}

/**
 * linkerd's client TLS keys. linkerd's own namerd TLS example gives `trustCerts` one path, not a
 * list (its config reader takes either): so does this interpreter.
 */
function parseTls(s: Section): ClientTlsConfig | undefined {
  const raw = s.raw('tls')
  if (raw === undefined) return undefined
  const trust = (raw as { trustCerts?: unknown } | null)?.trustCerts
  const listed = typeof trust === 'string' ? { ...(raw as object), trustCerts: [trust] } : raw
  return parseClientTls(new Section(listed, s.where('tls')))
}

/**
 * The settings of `tls` with the context of its files: the router's watched files (`opened`),
 * whose context changes when they do, each new connection to namerd taking the one in force;
 * else the files read once now (a ConfigError at `at` names one that is unusable).
 */
function namerdTls(tls: ClientTlsConfig, at: string, opened?: ClientTlsFiles): NamerdTls {
  const files = opened?.upstreamTls(tls) ?? upstreamTls(tls, at)
  return {
    get context() {
      return files.context
    },
    disableValidation: tls.disableValidation,
    ...(tls.commonName === undefined ? {} : { name: tls.commonName }),
  }
}

/** linkerd's `retry` section (seconds; defaults 5 and 600), as the shared backoff's ms. Pure. */
export function parseRetry(s: Section | undefined): RetryOptions {
  if (s === undefined) return { baseMs: 5000, maxMs: 600_000 }
  const baseSeconds = s.number('baseSeconds', 5, { min: 0, integer: false })
  const maxSeconds = s.number('maxSeconds', 600, { min: baseSeconds, integer: false })
  s.done()
  return { baseMs: baseSeconds * 1000, maxMs: maxSeconds * 1000 }
}
