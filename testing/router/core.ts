/**
 * Test support for the protocol-neutral routing core (router/core): a router whose transport is
 * in memory. The connector's upstreams answer as a test script says, and a collector stands
 * for the client: what an HTTP transport would write, kept as values.
 */
import { Readable } from 'node:stream'
import {
  Cell,
  constant,
  ok,
  readDtab,
  type Addr,
  type MountedNamer,
  type Name,
  type NameTree,
} from '../../dtabs/index.js'
import { DtabInterpreter } from '../../dtabs/interpreter.js'
import { parseBalancer } from '../../router/balancers/index.js'
import { Call, type RequestIn, type ServerContext } from '../../router/core/call.js'
import type {
  Connector,
  ResponseHandler,
  Upstream,
  UpstreamRequest,
} from '../../router/core/handler.js'
import { Router, type RouterSetup } from '../../router/core/router.js'
import { headerObject } from '../../router/h1/inbound.js'
import { MetricsRegistry, type RouterStats } from '../../router/metrics/index.js'
import type { Endpoint } from '../../router/model.js'
import { fixtureFs } from './interpreters.js'

/**
 * How an upstream answers one request: a response (its body in one chunk or several, trailers
 * at the end), a failure, never (until aborted), or as `answer` drives the handler itself.
 */
export type Reply =
  | {
      readonly status: number
      readonly headers?: string[]
      readonly body?: string | readonly string[]
      readonly trailers?: string[]
    }
  | { readonly error: Error }
  | { readonly answer: (handler: ResponseHandler) => void }
  | 'hang'

/** One request an upstream received, and how to end it by hand. */
export interface Sent {
  readonly endpoint: string
  readonly request: UpstreamRequest
  /** The reason the router aborted it, if it did. */
  aborted: Error | undefined
}

/** A connector whose every endpoint answers with `reply(request, endpoint key)`. */
export function memoryConnector(reply: (r: UpstreamRequest, endpoint: string) => Reply): {
  connector: Connector
  sent: Sent[]
} {
  const sent: Sent[] = []
  const upstream = (e: Endpoint): Upstream => ({
    dispatch(request, handler) {
      const record: Sent = { endpoint: e.key, request, aborted: undefined }
      sent.push(record)
      let over = false
      handler.onConnect((err) => {
        if (over) return
        over = true
        record.aborted = err
        handler.onError(err)
      })
      if (over) return
      const r = reply(request, e.key)
      // An answer the test drives may still be aborted (the abort is recorded and reported).
      if (r === 'hang') return
      if ('answer' in r) return r.answer(handler)
      over = true
      if ('error' in r) return handler.onError(r.error)
      handler.onHeaders(r.status, r.headers ?? [], () => undefined)
      const chunks = typeof r.body === 'string' ? [r.body] : (r.body ?? [])
      for (const chunk of chunks) handler.onData(Buffer.from(chunk))
      handler.onComplete(r.trailers)
    },
  })
  return { connector: { upstream, close: () => Promise.resolve() }, sent }
}

/** The client's side of a call, as values; `abort` is what the router gave it. */
export class Collector implements ResponseHandler {
  status = 0
  headers: string[] = []
  body = ''
  error: Error | undefined
  completed = false
  /** The trailers the answer ended with, if any. */
  trailers: string[] | undefined
  abort: ((err: Error) => void) | undefined
  private resolveDone: () => void = () => undefined
  /** Resolves once the answer is over (complete or failed). */
  readonly done = new Promise<void>((resolve) => (this.resolveDone = resolve))

  onConnect(abort: (err: Error) => void): void {
    this.abort = abort
  }

  onHeaders(status: number, fields: string[]): boolean {
    this.status = status
    this.headers = fields
    return true
  }

  onData(chunk: Buffer): boolean {
    this.body += chunk.toString()
    return true
  }

  onComplete(trailers?: string[]): void {
    this.completed = true
    this.trailers = trailers
    this.resolveDone()
  }

  onError(err: Error): void {
    this.error = err
    this.resolveDone()
  }

  /** The first value of header `name` (case-insensitive). */
  header(name: string): string | undefined {
    const i = this.headers.findIndex((h, k) => k % 2 === 0 && h.toLowerCase() === name)
    return i === -1 ? undefined : this.headers[i + 1]
  }
}

/** A received request: `GET /` with these raw headers (`Host: users` unless given). */
export function request(rawHeaders: string[] = ['Host', 'users'], url = '/'): RequestIn {
  let headers: ReturnType<typeof headerObject> | undefined
  return {
    method: 'GET',
    url,
    httpVersion: '1.1',
    rawHeaders,
    get headers() {
      return (headers ??= headerObject(rawHeaders))
    },
    remoteAddress: '127.0.0.1',
    remotePort: 40000,
    body: Readable.from([]),
  }
}

export interface CoreRouter {
  readonly router: Router
  readonly stats: RouterStats
  readonly server: ServerContext
  readonly sent: Sent[]
  /** Routes `req` through `server` (or the default one) and waits for the answer. */
  call(req?: RequestIn, server?: ServerContext): Promise<Collector>
}

/**
 * A namer at `/#/slow` binding `/#/slow/<name>` at once to an address set that stays pending
 * until `release()` (then `127.0.0.1:9001`).
 */
export function slowAddressNamer(): { mounted: MountedNamer; release(): void } {
  const addr = new Cell<Addr>({ type: 'pending' })
  const lookup: MountedNamer['namer']['lookup'] = (residual) =>
    constant(
      ok<NameTree<Name>>({
        type: 'leaf',
        value: { id: ['#', 'slow', ...residual.slice(0, 1)], path: residual.slice(1), addr },
      }),
    )
  return {
    mounted: { prefix: ['#', 'slow'], namer: { lookup } },
    release: () => addr.set({ type: 'bound', addrs: [{ host: '127.0.0.1', port: 9001 }] }),
  }
}

/**
 * A router over the fixture namers (`/#/io.l5d.fs/users` and friends, see fixtureFs) and
 * `namers`, with `dtab`, sending through a memory connector that answers with `reply`.
 */
export function coreRouter(
  dtab: string,
  reply: (r: UpstreamRequest, endpoint: string) => Reply,
  setup: Partial<RouterSetup> = {},
  namers: readonly MountedNamer[] = [],
): CoreRouter {
  const metrics = new MetricsRegistry({ defaultMetrics: false, snapshotIntervalMs: 0 })
  const stats = metrics.router('test')
  const { connector, sent } = memoryConnector(reply)
  const interpreter = new DtabInterpreter({
    base: constant(ok(readDtab(dtab))),
    namers: [...fixtureFs(), ...namers],
  })
  const balancer = parseBalancer(undefined)
  const router = new Router({
    label: 'test',
    identify: (req) => {
      const host = req.headers.host
      return typeof host === 'string'
        ? { ok: true, dst: ['svc', host] }
        : { ok: false, reason: 'no Host' }
    },
    interpreter,
    connector,
    balancerFor: () => balancer,
    bindingTimeoutMs: 1000,
    cache: { paths: 100, clients: 100, idleTtlSecs: 600 },
    stats,
    ...setup,
  })
  const server: ServerContext = {
    clearContext: false,
    stats: stats.server('127.0.0.1', 4140),
    active: 0,
  }
  return {
    router,
    stats,
    server,
    sent,
    async call(req = request(), through = server) {
      const collector = new Collector()
      router.route(new Call(req, through, req.httpVersion), collector)
      await collector.done
      return collector
    },
  }
}
