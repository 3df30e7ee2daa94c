/**
 * The router's shared vocabulary: what a parsed config says, and the interfaces the families
 * (identifiers, balancers, interpreters, namers) implement. Config parsing (config.ts) turns YAML
 * into these; router.ts and proxy/ run them. Types (and one type test).
 */
import type { IncomingHttpHeaders } from 'node:http'
import type { Activity, BoundLeaf, Dtab, MountedNamer, NameTree, Path } from '../dtabs/index.js'

/** What identifiers see of a request: no body, no socket. */
export interface RequestHead {
  readonly method: string
  /** The request target as received (origin-form, e.g. `/a/b?x=1`). */
  readonly url: string
  /** `1.1` or `1.0`. */
  readonly httpVersion: string
  readonly headers: IncomingHttpHeaders
  /**
   * The headers as received (`[name, value, …]`, Node's `rawHeaders`). When present, header
   * lookups scan it rather than build `headers` (which Node makes lazily, at a cost).
   */
  readonly rawHeaders?: readonly string[]
}

/** An identifier's answer: a logical name (and, with `consume`, the URL to send upstream). */
export type Identified =
  | { readonly ok: true; readonly dst: Path; readonly url?: string }
  | { readonly ok: false; readonly reason: string }

/** Turns a request into a logical name (`/svc/foo`); never throws for a bad request. */
export type Identifier = (req: RequestHead) => Identified

export interface IdentifierDeps {
  /** The router's `dstPrefix`, e.g. `['svc']`. */
  readonly prefix: Path
}

/**
 * A name interpreter: binds `path` with `dtab` (the router's base dtab ++ the request's local
 * dtab), giving a live bound tree. `close()` releases its watches.
 */
export interface Interpreter {
  bind(localDtab: Dtab, path: Path): Activity<NameTree<BoundLeaf>>
  /** The base dtab currently in force (it may change, e.g. a watched dtab file). */
  readonly baseDtab: () => Dtab
  /** Explains a delegation (admin `/delegator.json`), JSON in namerd's shape. */
  delegate(localDtab: Dtab, path: Path): Promise<unknown>
  /**
   * What the interpreter watches, for the admin page
   * `/<router>/interpreter_state/<kind>/<namespace>.json`; absent when it has nothing to show.
   */
  state?(): { readonly kind: string; readonly namespace: string }
  /** The version of the dtab the interpreter follows, asked now (namerd's ETag), if it has one. */
  dtabVersion?(): Promise<string | undefined>
  close(): void
}

/**
 * A binding or address set that can say why it is still pending (namerd unreachable), so that
 * the router's binding timeout answers with that instead of a plain timeout.
 */
export interface Stallable {
  stalled(what: string): Error | undefined
}

/** `v.stalled(what)` when `v` is Stallable, else undefined. */
export function stalledReason(v: object, what: string): Error | undefined {
  const s = (v as Partial<Stallable>).stalled
  return typeof s === 'function' ? s.call(v, what) : undefined
}

export interface InterpreterDeps {
  /** The configured namers, then the `/$` namer. */
  readonly namers: readonly MountedNamer[]
  /** The router's configured `dtab`. */
  readonly dtab: Dtab
}

/** One upstream endpoint as a load balancer tracks it. */
export interface Endpoint {
  /** `host:port` (IPv6 in brackets): stable identity across address-set updates. */
  readonly key: string
  readonly host: string
  readonly port: number
  /** Relative weight inside the client (`endpoint_addr_weight`), default 1. */
  readonly weight: number
  /** Requests in flight to this endpoint; maintained by the balancer's acquire/release. */
  pending: number
}

/**
 * A load balancer over one client's endpoints (one bound id). `update` replaces the endpoint set
 * keeping the state of endpoints that stay; `acquire` picks one and counts it in flight (undefined
 * when there are no endpoints); `release` ends that request with its latency and outcome.
 */
export interface Balancer {
  update(
    addrs: readonly { host: string; port: number; meta?: Readonly<Record<string, unknown>> }[],
  ): void
  /** `avoid`: an endpoint this request just failed on; another is taken when there is one. */
  acquire(avoid?: Endpoint): Endpoint | undefined
  /**
   * `ok` undefined: no verdict on the endpoint (the caller went away before it answered); neither
   * a success nor a failure for failure accrual.
   */
  release(endpoint: Endpoint, latencyMs: number, ok: boolean | undefined): void
  readonly endpoints: readonly Endpoint[]
}

/** Makes a balancer for one client. `random` is injectable for tests (default Math.random). */
export type BalancerFactory = (random?: () => number) => Balancer
