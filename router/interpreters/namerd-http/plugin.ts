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
 */
import { readPath, showPath, type Path } from '../../../dtabs/index.js'
import { ConfigError, type Section } from '../../../lib/config/section.js'
import type { RetryOptions } from '../../../lib/namerd-client/index.js'
import type { Interpreter } from '../../model.js'
import type { InterpreterEnv, InterpreterPlugin } from '../index.js'
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
    if (s.has('tls')) throw new ConfigError(s.where('tls'), 'TLS to namerd is not supported yet')
    return function makeNamerdHttpInterpreter(env: InterpreterEnv): Interpreter {
      const stats = env.stats === undefined ? undefined : interpreterMetrics(env.stats)
      const address = 'path' in dst ? new NamerdAddress(dst.path, env.namers) : undefined
      const interpreter: NamerdInterpreter = new NamerdInterpreter({
        // With replicas, each connection's origin comes from `address`; `base` only shapes URLs.
        base: 'base' in dst ? dst.base : 'http://namerd',
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
  },
}

/** Where namerd is: one fixed base URL, or a path the router's namers resolve to its replicas. */
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
  return { base: `http://${host.includes(':') ? `[${host}]` : host}:${portNumber}` }
}

/** linkerd's `retry` section (seconds; defaults 5 and 600), as the shared backoff's ms. Pure. */
export function parseRetry(s: Section | undefined): RetryOptions {
  if (s === undefined) return { baseMs: 5000, maxMs: 600_000 }
  const baseSeconds = s.number('baseSeconds', 5, { min: 0, integer: false })
  const maxSeconds = s.number('maxSeconds', 600, { min: baseSeconds, integer: false })
  s.done()
  return { baseMs: baseSeconds * 1000, maxMs: maxSeconds * 1000 }
}
