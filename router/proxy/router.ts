import type { IncomingMessage, ServerResponse } from 'node:http'
import {
  showDtab,
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
import type { BalancerFactory, Endpoint, Identifier, Interpreter } from '../model.js'
import { Pools, UpstreamClient } from './clients.js'
import { forward, type ForwardResult } from './forward.js'
import { upstreamRequestHeaders, viaDepth, viaEntry } from './headers.js'
import { LocalDtabReader, type LocalDtab } from './local-dtab.js'
import { pickLeaf } from './pick.js'
import { newRequestId } from './reqid.js'
import { finagleDuration, respondError } from './respond.js'
import { noStats, type RequestStats } from './stats.js'

/** What one router needs to route: its parts, built from config. */
export interface RouterSetup {
  readonly label: string
  readonly identify: Identifier
  readonly interpreter: Interpreter
  readonly makeBalancer: BalancerFactory
  readonly bindingTimeoutMs: number
  readonly cache: { readonly paths: number; readonly clients: number; readonly idleTtlSecs: number }
  readonly maxCallDepth?: number
  readonly random?: () => number
  readonly stats?: RequestStats
}

/** Per-server settings that change how a request is handled. */
export interface ServerSetup {
  readonly clearContext: boolean
}

interface PathEntry {
  readonly binding: Activity<NameTree<BoundLeaf>>
  readonly stop: () => void
}

/**
 * One router's data path: request → identifier → logical name → binding (base dtab ++ the
 * request's override) → weighted pick → client's load balancer → endpoint. Bindings and clients
 * are cached (bounded, idle ones expire) and stay live: namer changes reach new requests
 * without any per-request dtab work. Only waits (a binding or an address set still pending)
 * leave the synchronous path.
 */
export class Router {
  private readonly localDtabs = new LocalDtabReader()
  private readonly paths: Lru<string, PathEntry>
  private readonly clients: Lru<string, UpstreamClient>
  private readonly pools = new Pools()
  private readonly idShown = new WeakMap<Bound, string>()
  private readonly sweeper: NodeJS.Timeout
  private readonly random: () => number
  private readonly stats: RequestStats
  inFlight = 0

  constructor(private readonly setup: RouterSetup) {
    const idleMs = setup.cache.idleTtlSecs * 1000
    this.paths = new Lru(setup.cache.paths, (_k, e) => e.stop(), idleMs)
    this.clients = new Lru(setup.cache.clients, (_k, c) => c.close(), idleMs)
    this.sweeper = setInterval(() => this.sweep(), Math.min(idleMs, 60_000)).unref()
    this.random = setup.random ?? Math.random
    this.stats = setup.stats ?? noStats
  }

  get label(): string {
    return this.setup.label
  }

  /** Routes one request. Never throws: every failure becomes a response. */
  handle(req: IncomingMessage, res: ServerResponse, server: ServerSetup): void {
    this.inFlight++
    res.once('close', () => this.inFlight--)
    const via = viaEntry(req.httpVersion)
    try {
      this.route(req, res, server, via)
    } catch (e) {
      this.fail(res, e, via, server)
    }
  }

  private fail(res: ServerResponse, e: unknown, via: string, server: ServerSetup): void {
    const status = respondError(res, e, via, server.clearContext)
    this.stats.failed(status, e)
  }

  private route(req: IncomingMessage, res: ServerResponse, server: ServerSetup, via: string): void {
    const up = upstreamRequestHeaders(req.rawHeaders, server.clearContext)
    const maxDepth = this.setup.maxCallDepth ?? 1000
    if (viaDepth(up.via) >= maxDepth) {
      const msg = `Maximum number of calls (${maxDepth}) has been exceeded. Please check for proxy loops.`
      throw new RouterError('ERR_MAX_CALL_DEPTH', msg)
    }
    const local = server.clearContext
      ? this.localDtabs.read([])
      : this.localDtabs.read(req.rawHeaders)
    const id = this.setup.identify(req as unknown as Parameters<Identifier>[0])
    if (!id.ok) throw unknownDst(req, id.reason)
    const name = showPath(id.dst)
    const entry = this.pathEntry(local, id.dst, name)
    const exchange: Exchange = {
      req,
      res,
      server,
      via,
      up,
      local,
      name,
      url: id.url ?? (req.url as string),
    }
    const state = entry.binding.get()
    if (state.type === 'pending') this.afterBinding(entry.binding, exchange)
    else this.dispatch(state, exchange)
  }

  private pathEntry(local: LocalDtab, dst: Path, name: string): PathEntry {
    const key = local.shown === '' ? name : `${local.shown}\n${name}`
    let entry = this.paths.get(key)
    if (entry === undefined) {
      const binding = this.setup.interpreter.bind(local.dtab, dst)
      entry = { binding, stop: binding.subscribe(noop) }
      this.paths.set(key, entry)
    }
    return entry
  }

  private afterBinding(binding: Activity<NameTree<BoundLeaf>>, x: Exchange): void {
    const ms = this.setup.bindingTimeoutMs
    const timeout = (): Error =>
      new RouterError(
        'ERR_BINDING_TIMEOUT',
        `Exceeded ${finagleDuration(ms)} binding timeout while resolving name: ${x.name}`,
      )
    waitFor(binding, (s) => s.type !== 'pending', ms, timeout).then(
      (state) => this.guard(x, () => this.dispatch(state, x)),
      (e: unknown) => this.fail(x.res, e, x.via, x.server),
    )
  }

  private guard(x: Exchange, f: () => void): void {
    try {
      f()
    } catch (e) {
      this.fail(x.res, e, x.via, x.server)
    }
  }

  private dispatch(state: ActState<NameTree<BoundLeaf>>, x: Exchange): void {
    if (state.type === 'failed')
      throw new RouterError('ERR_BIND_FAILED', `${state.error.message}\n\nservice name: ${x.name}`)
    if (state.type === 'pending') throw new Error('unreachable: pending binding')
    const leaf = pickLeaf(state.value, this.random)
    if (leaf === undefined) throw this.noRoute(x)
    const client = this.client(leaf.bound)
    if (client.addr.type === 'pending') this.afterAddr(client, leaf.bound, x)
    else this.send(client, leaf.bound, x)
  }

  private noRoute(x: Exchange): RouterError {
    const base = showDtab(this.setup.interpreter.baseDtab())
    const lines = (d: string): string =>
      d === ''
        ? ''
        : d
            .split(';')
            .map((e) => `  ${e.replace('=>', ' => ')}\n`)
            .join('')
    const msg = `Unable to route request!\n\nservice name: ${x.name}\ndtab:\nbase dtab:\n${lines(base)}override dtab:\n${lines(x.local.shown)}`
    return new RouterError('ERR_NO_ROUTE', msg.trimEnd())
  }

  private client(bound: Bound): UpstreamClient {
    let key = this.idShown.get(bound)
    if (key === undefined) {
      key = showPath(bound.id)
      this.idShown.set(bound, key)
    }
    let client = this.clients.get(key)
    if (client === undefined) {
      client = new UpstreamClient(bound, this.setup.makeBalancer)
      this.clients.set(key, client)
    }
    return client
  }

  private afterAddr(client: UpstreamClient, bound: Bound, x: Exchange): void {
    const ms = this.setup.bindingTimeoutMs
    const timeout = (): Error =>
      new RouterError(
        'ERR_BINDING_TIMEOUT',
        `Exceeded ${finagleDuration(ms)} binding timeout while connecting to ${client.id} for name: ${x.name}`,
      )
    waitFor(bound.addr, (a) => a.type !== 'pending', ms, timeout).then(
      () => this.guard(x, () => this.send(client, bound, x)),
      (e: unknown) => this.fail(x.res, e, x.via, x.server),
    )
  }

  private send(client: UpstreamClient, bound: Bound, x: Exchange): void {
    const endpoint = client.balancer.acquire()
    if (endpoint === undefined) throw noEndpoints(client, x)
    const headers = this.stamp(x, client.id, bound)
    const started = performance.now()
    forward(this.pools.get(endpoint), x.req, x.res, {
      method: x.req.method ?? 'GET',
      path: x.url,
      headers,
      viaEntry: x.via,
      clearContext: x.server.clearContext,
      done: (result) => this.finished(result, client, endpoint, started, x),
    })
  }

  /** The upstream request headers: `Host` first, the forwarded ones, then linkerd's. */
  private stamp(x: Exchange, clientId: string, bound: Bound): string[] {
    const h = x.up.headers
    const out: string[] = x.up.host === undefined ? [] : ['host', x.up.host]
    for (let i = 0; i < h.length; i++) out.push(h[i] as string)
    out.push(
      'l5d-dst-service',
      x.name,
      'l5d-dst-client',
      clientId,
      'l5d-reqid',
      newRequestId(this.random),
    )
    if (bound.path.length > 0) out.push('l5d-dst-residual', showPath(bound.path))
    if (x.local.shown !== '') out.push('l5d-ctx-dtab', x.local.shown)
    out.push('via', x.up.via === undefined ? x.via : `${x.up.via}, ${x.via}`)
    return out
  }

  private finished(
    result: ForwardResult,
    client: UpstreamClient,
    e: Endpoint,
    started: number,
    x: Exchange,
  ): void {
    const latencyMs = performance.now() - started
    client.balancer.release(e, latencyMs, result.error === undefined && result.status < 500)
    if (result.error === undefined) {
      this.stats.forwarded(result.status, latencyMs)
      return
    }
    if (result.responded) return this.stats.failed(result.status, result.error)
    this.fail(x.res, upstreamError(result.error, client, e, x), x.via, x.server)
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
  }
}

interface Exchange {
  readonly req: IncomingMessage
  readonly res: ServerResponse
  readonly server: ServerSetup
  readonly via: string
  readonly up: {
    readonly headers: string[]
    readonly host: string | undefined
    readonly via: string | undefined
  }
  readonly local: LocalDtab
  readonly name: string
  readonly url: string
}

function noop(): void {}

function unknownDst(req: IncomingMessage, reason: string): RouterError {
  const from = `${req.socket.remoteAddress ?? '?'}:${req.socket.remotePort ?? '?'}`
  return new RouterError(
    'ERR_UNKNOWN_DST',
    `Unknown destination: Request("${req.method} ${req.url}", from /${from}) / ${reason}`,
  )
}

function noEndpoints(client: UpstreamClient, x: Exchange): RouterError {
  const why = client.addr.type === 'failed' ? ` (${client.addr.cause})` : ''
  return new RouterError(
    'ERR_NO_ENDPOINTS',
    `No hosts are available for ${client.id}${why}\n\nservice name: ${x.name}\nclient name: ${client.id}`,
  )
}

const CONNECT_CODES = new Set([
  'ECONNREFUSED',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ETIMEDOUT',
  'UND_ERR_CONNECT_TIMEOUT',
])

function upstreamError(err: Error, client: UpstreamClient, e: Endpoint, x: Exchange): RouterError {
  const code = (err as { code?: string }).code ?? ''
  const addresses = client.balancer.endpoints.map((p) => p.key).join(', ')
  const context = `service name: ${x.name}\nclient name: ${client.id}\naddresses: [${addresses}]\nselected address: ${e.key}`
  if (CONNECT_CODES.has(code)) {
    return new RouterError(
      'ERR_CONNECT',
      `Unable to establish connection to ${e.key}.\n\n${context}`,
      { cause: err },
    )
  }
  return new RouterError(
    'ERR_UPSTREAM',
    `${err.message} (${code || err.name}) from ${e.key}\n\n${context}`,
    { cause: err },
  )
}
