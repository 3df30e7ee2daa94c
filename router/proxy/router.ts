import {
  showPath,
  waitFor,
  type ActState,
  type Activity,
  type Bound,
  type BoundLeaf,
  type NameTree,
  type Path,
} from '../../dtabs/index.js'
import { Lru } from '../../lib/lru.js'
import { RouterError } from '../errors.js'
import type { ClientStats, RouterStats, ServerStats, ServiceStats } from '../metrics/index.js'
import { originForm } from '../identifiers/origin-form.js'
import {
  stalledReason,
  type BalancerFactory,
  type Endpoint,
  type Identifier,
  type Interpreter,
} from '../model.js'
import type { AccessLog } from './access-log.js'
import { Pools, UpstreamClient } from './clients.js'
import * as fail from './failures.js'
import { forward, type Forwarding, type ForwardResult } from './forward.js'
import type { InboundRequest } from './h1/inbound.js'
import type { OutboundResponse } from './h1/outbound.js'
import { readInbound, viaDepth, viaEntry, type InboundHead } from './headers.js'
import { LocalDtabReader, NO_LOCAL_DTAB, type LocalDtab } from './local-dtab.js'
import { pickLeaf } from '../../dtabs/pick.js'
import { RequestIds } from './reqid.js'
import { finagleDuration, respondError } from './respond.js'

/** What one router needs to route: its parts, built from config. */
export interface RouterSetup {
  readonly label: string
  readonly identify: Identifier
  readonly interpreter: Interpreter
  /** The balancer factory for a client (bound id), from the `client` configs. */
  readonly balancerFor: (id: Path) => BalancerFactory
  readonly bindingTimeoutMs: number
  readonly cache: { readonly paths: number; readonly clients: number; readonly idleTtlSecs: number }
  readonly stats: RouterStats
  /** Timeouts (ms) from the `service` configs (`totalTimeoutMs`) for a logical name. */
  readonly serviceTimeoutFor?: (name: Path) => number | undefined
  /** `requestAttemptTimeoutMs` from the `client` configs for a bound id. */
  readonly attemptTimeoutFor?: (id: Path) => number | undefined
  /** `httpAccessLog`: where to append one line per request. */
  readonly accessLog?: AccessLog
  readonly maxCallDepth?: number
  readonly random?: () => number
}

/** Per-server settings that change how a request is handled. */
export interface ServerSetup {
  readonly clearContext: boolean
  readonly stats: ServerStats
}

interface PathEntry {
  readonly binding: Activity<NameTree<BoundLeaf>>
  readonly stop: () => void
  readonly timeoutMs: number | undefined
  service: ServiceStats
}

/** One request on its way through: what later steps and the final accounting need. */
interface Exchange {
  readonly req: InboundRequest
  readonly res: OutboundResponse
  readonly server: ServerSetup
  /** Called when the response is over (a server's concurrency count). */
  readonly release: (() => void) | undefined
  readonly via: string
  readonly started: number
  up: InboundHead
  local: LocalDtab
  name: string
  url: string
  /** The `Host` to send: as received, or the authority of an absolute-form URL. */
  host: string | undefined
  service: ServiceStats | undefined
  /** The service's total timeout, if any. */
  timeoutMs: number | undefined
  /** Why the router answered with an error (a code), for `failures/<name>`. */
  failure: string | undefined
  forwarding: Forwarding | undefined
}

/**
 * One router's data path: request → identifier → logical name → binding (base dtab ++ the
 * request's override) → weighted pick → client's load balancer → endpoint. Bindings and clients
 * are cached (bounded, idle ones expire) and stay live: namer changes reach new requests
 * without per-request dtab work. Only waits (a binding or an address set still pending) leave
 * the synchronous path. Server, service and client stats are counted as linkerd counts them.
 */
export class Router {
  private readonly localDtabs = new LocalDtabReader()
  private readonly paths: Lru<string, PathEntry>
  private readonly clients: Lru<string, UpstreamClient>
  private readonly clientStats = new WeakMap<UpstreamClient, ClientStats>()
  private readonly pools = new Pools()
  private readonly idShown = new WeakMap<Bound, string>()
  private readonly sweeper: NodeJS.Timeout
  private readonly random: () => number
  private readonly requestIds: RequestIds
  inFlight = 0

  constructor(private readonly setup: RouterSetup) {
    const idleMs = setup.cache.idleTtlSecs * 1000
    this.paths = new Lru(setup.cache.paths, (_k, e) => e.stop(), idleMs)
    this.clients = new Lru(setup.cache.clients, (_k, c) => c.close(), idleMs)
    this.sweeper = setInterval(() => this.sweep(), Math.min(idleMs, 60_000)).unref()
    this.random = setup.random ?? Math.random
    this.requestIds = new RequestIds(this.random)
  }

  get label(): string {
    return this.setup.label
  }

  /** Names bound so far (admin `/bound-names.json`): the clients' ids. */
  boundNames(): string[] {
    return this.clients.values().map((c) => c.id)
  }

  /**
   * Routes one request. Never throws: every failure becomes a response. `release` is called
   * when the response is over.
   */
  handle(
    req: InboundRequest,
    res: OutboundResponse,
    server: ServerSetup,
    release?: () => void,
  ): void {
    this.inFlight++
    server.stats.requests++
    server.stats.pending++
    const x: Exchange = {
      req,
      res,
      server,
      release,
      via: viaEntry(req.httpVersion),
      started: performance.now(),
      up: EMPTY_UP,
      local: NO_LOCAL_DTAB,
      name: '',
      url: req.url,
      host: undefined,
      service: undefined,
      timeoutMs: undefined,
      failure: undefined,
      forwarding: undefined,
    }
    res.onClose = () => this.done(x)
    try {
      this.route(x)
    } catch (e) {
      this.respondError(x, e)
    }
  }

  /** Final accounting when the response is over (sent, or the connection gone). */
  private done(x: Exchange): void {
    this.inFlight--
    x.release?.()
    x.forwarding?.cancel()
    this.setup.accessLog?.write(x.req, x.res)
    const ms = performance.now() - x.started
    const ok = x.res.writableFinished && x.res.statusCode < 500
    const why = ok ? undefined : (x.failure ?? (x.res.writableFinished ? 'status_5xx' : 'closed'))
    count(x.server.stats, ms, why)
    x.server.stats.status(x.res.statusCode)
    if (x.service !== undefined) count(x.service, ms, why)
  }

  private respondError(x: Exchange, e: unknown): void {
    x.failure = fail.failureName(e)
    respondError(x.res, e, x.via, x.server.clearContext)
  }

  private route(x: Exchange): void {
    const { req } = x
    x.up = readInbound(req.rawHeaders, x.server.clearContext)
    const maxDepth = this.setup.maxCallDepth ?? 1000
    if (viaDepth(x.up.via) >= maxDepth) throw fail.maxCallDepth(maxDepth)
    x.local = this.localDtabs.read(x.up.ctxDtab, x.up.userDtab)
    x.host = x.up.host
    const head = originForm(req)
    if (head !== req) {
      x.url = head.url
      x.host = head.headers.host
    }
    const id = this.setup.identify(head)
    if (!id.ok) throw fail.unknownDst(req, id.reason)
    x.name = showPath(id.dst)
    if (id.url !== undefined) x.url = id.url
    const entry = this.pathEntry(x.local, id.dst, x.name)
    x.service = entry.service
    x.timeoutMs = entry.timeoutMs
    x.service.requests++
    x.service.pending++
    const state = entry.binding.get()
    if (state.type === 'pending') this.afterBinding(entry.binding, x)
    else this.dispatch(state, x)
  }

  private pathEntry(local: LocalDtab, dst: Path, name: string): PathEntry {
    const key = local.shown === '' ? name : `${local.shown}\n${name}`
    let entry = this.paths.get(key)
    if (entry === undefined) {
      const binding = this.setup.interpreter.bind(local.dtab, dst)
      const service = this.setup.stats.service(name)
      const timeoutMs = this.setup.serviceTimeoutFor?.(dst)
      entry = { binding, stop: binding.subscribe(noop), timeoutMs, service }
      this.paths.set(key, entry)
    } else if (entry.service.evicted) {
      entry.service = this.setup.stats.service(name)
    }
    return entry
  }

  private afterBinding(binding: Activity<NameTree<BoundLeaf>>, x: Exchange): void {
    const ms = this.setup.bindingTimeoutMs
    const timeout = (): Error =>
      stalledReason(binding, x.name) ??
      new RouterError(
        'ERR_BINDING_TIMEOUT',
        `Exceeded ${finagleDuration(ms)} binding timeout while resolving name: ${x.name}`,
      )
    waitFor(binding, (s) => s.type !== 'pending', ms, timeout).then(
      (state) => this.guard(x, () => this.dispatch(state, x)),
      (e: unknown) => this.respondError(x, e),
    )
  }

  private guard(x: Exchange, f: () => void): void {
    try {
      f()
    } catch (e) {
      this.respondError(x, e)
    }
  }

  private dispatch(state: ActState<NameTree<BoundLeaf>>, x: Exchange): void {
    if (state.type === 'failed') {
      throw new RouterError('ERR_BIND_FAILED', `${state.error.message}\n\nservice name: ${x.name}`)
    }
    if (state.type === 'pending') throw new Error('unreachable: pending binding')
    const leaf = pickLeaf(state.value, this.random)
    if (leaf === undefined)
      throw fail.noRoute(x.name, this.setup.interpreter.baseDtab(), x.local.shown)
    const client = this.client(leaf.bound)
    if (client.addr.type === 'pending') this.afterAddr(client, leaf.bound, x)
    else this.send(client, leaf.bound, x)
  }

  private client(bound: Bound): UpstreamClient {
    let key = this.idShown.get(bound)
    if (key === undefined) {
      key = showPath(bound.id)
      this.idShown.set(bound, key)
    }
    let client = this.clients.get(key)
    if (client === undefined) {
      client = new UpstreamClient(
        bound,
        this.setup.balancerFor(bound.id),
        this.setup.attemptTimeoutFor?.(bound.id),
      )
      this.clients.set(key, client)
    }
    return client
  }

  private statsOf(client: UpstreamClient): ClientStats {
    let s = this.clientStats.get(client)
    if (s === undefined || s.evicted) {
      s = this.setup.stats.client(client.id)
      this.clientStats.set(client, s)
    }
    return s
  }

  private afterAddr(client: UpstreamClient, bound: Bound, x: Exchange): void {
    const ms = this.setup.bindingTimeoutMs
    const timeout = (): Error =>
      stalledReason(bound.addr, `${client.id} for name ${x.name}`) ??
      new RouterError(
        'ERR_BINDING_TIMEOUT',
        `Exceeded ${finagleDuration(ms)} binding timeout while connecting to ${client.id} for name: ${x.name}`,
      )
    waitFor(bound.addr, (a) => a.type !== 'pending', ms, timeout).then(
      () => this.guard(x, () => this.send(client, bound, x)),
      (e: unknown) => this.respondError(x, e),
    )
  }

  private send(client: UpstreamClient, bound: Bound, x: Exchange): void {
    const endpoint = client.balancer.acquire()
    if (endpoint === undefined) throw fail.noEndpoints(client, x.name)
    const stats = this.statsOf(client)
    stats.requests++
    stats.pending++
    const started = performance.now()
    const timeout = this.timeoutOf(x, client)
    x.forwarding = forward(this.pools.get(endpoint), x.req, x.res, {
      timeout,
      method: x.req.method,
      path: x.url,
      headers: this.stamp(x, client.id, bound),
      hasBody: x.up.hasBody,
      viaEntry: x.via,
      clearContext: x.server.clearContext,
      done: (result) => this.finished(result, client, stats, endpoint, started, x),
    })
  }

  /**
   * The upstream request headers: the forwarded ones (a fresh list `readInbound` made for this
   * request, extended in place), then `Host` and linkerd's.
   */
  private stamp(x: Exchange, clientId: string, bound: Bound): string[] {
    const out = x.up.headers
    if (x.host !== undefined) out.push('host', x.host)
    out.push('l5d-dst-service', x.name, 'l5d-dst-client', clientId)
    out.push('l5d-reqid', this.requestIds.next())
    if (bound.path.length > 0) out.push('l5d-dst-residual', showPath(bound.path))
    if (x.local.shown !== '') out.push('l5d-ctx-dtab', x.local.shown)
    out.push('via', x.up.via === undefined ? x.via : `${x.up.via}, ${x.via}`)
    return out
  }

  private finished(
    result: ForwardResult,
    client: UpstreamClient,
    stats: ClientStats,
    e: Endpoint,
    started: number,
    x: Exchange,
  ): void {
    const latencyMs = performance.now() - started
    const ok = result.error === undefined && result.status < 500
    client.balancer.release(e, latencyMs, ok)
    stats.pending--
    stats.latency.record(latencyMs)
    if (result.status > 0) stats.status(result.status)
    if (ok) stats.success++
    else stats.fail(result.error === undefined ? 'status_5xx' : fail.failureName(result.error))
    if (result.error !== undefined && !result.responded) {
      const err =
        result.error instanceof RouterError
          ? result.error
          : fail.upstreamError(result.error, client, e, x.name)
      this.respondError(x, err)
    }
  }

  /** The tighter of the service's total timeout and the client's attempt timeout, as an error to fail with. */
  private timeoutOf(
    x: Exchange,
    client: UpstreamClient,
  ): { ms: number; error: () => Error } | undefined {
    const attempt = client.attemptTimeoutMs
    const total = x.timeoutMs
    if (attempt === undefined && total === undefined) return undefined
    const ms = Math.min(attempt ?? Infinity, total ?? Infinity)
    const what = ms === total ? 'including retries (if applicable)' : `from ${client.id}`
    const text = `exceeded ${finagleDuration(ms)} while waiting for a response for the request, ${what}`
    return { ms, error: () => new RouterError('ERR_TIMEOUT', `${text}\n\nservice name: ${x.name}`) }
  }

  private sweep(): void {
    this.paths.sweep()
    this.clients.sweep()
  }

  /** Stops the caches' timers and watches and closes upstream pools (in-flight requests finish). */
  async close(): Promise<void> {
    clearInterval(this.sweeper)
    this.paths.clear()
    this.clients.clear()
    await this.pools.close()
    await this.setup.accessLog?.close()
  }
}

const EMPTY_UP: InboundHead = {
  headers: [],
  host: undefined,
  via: undefined,
  ctxDtab: undefined,
  userDtab: undefined,
  hasBody: false,
}

/** Ends one request in a stats object: latency, success or a named failure. */
function count(s: ServiceStats | ServerStats, ms: number, failure: string | undefined): void {
  s.pending--
  s.latency.record(ms)
  if (failure === undefined) s.success++
  else s.fail(failure)
}

function noop(): void {}
