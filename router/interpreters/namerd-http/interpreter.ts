/**
 * The interpreter behind `io.l5d.namerd.http`: namerd binds, the router routes. Each
 * (override dtab, name) follows one `/api/1/bind` stream; each bound id's endpoints follow one
 * `/api/1/addr` stream, seeded from the bind document so that a new tree routes at once.
 * A name's stream is shared by every request for it through the router's binding cache, and runs
 * while the router observes the name, plus a linger. Address streams are shared per bound id,
 * kept in a bounded LRU with idle expiry.
 */
import {
  ADDR_PENDING,
  BindingTooLargeError,
  EMPTY_DTAB,
  MAX_BIND_NODES,
  PENDING,
  boundTreeFromJson,
  concatDtabs,
  failed,
  mapTree,
  ok,
  showPath,
  treeSizeUpTo,
  type ActState,
  type Activity,
  type Addr,
  type BoundLeaf,
  type Dtab,
  type NameTree,
  type Path,
} from '../../../dtabs/index.js'
import { errorMessage } from '../../../lib/errors.js'
import { Lru } from '../../../lib/lru.js'
import { RouterError } from '../../errors.js'
import type { Interpreter } from '../../model.js'
import { ADDR_CODEC, BIND_CODEC, DTAB_CODEC, withoutWeightStamp } from './codecs.js'
import { delegateThroughNamerd, namerdVersion } from './delegate.js'
import { outageLog } from './outage-log.js'
import type { NamerdAddress } from './namerd-address.js'
import {
  interpreterState,
  streamHealth,
  type NamerdInterpreterState,
  type StreamHealth,
} from './state.js'
import { StreamVar, type StreamDeps } from './stream-var.js'
import { addrUrl, bindUrl, dtabUrl, type NamerdTarget } from './urls.js'

type BoundTree = NameTree<BoundLeaf>

export interface NamerdInterpreterOptions
  extends NamerdTarget, Omit<StreamDeps, 'log' | 'live' | 'isClosed'> {
  /**
   * The router's binding cache size (default 1000) and idle expiry (default 600 s): address
   * streams are kept per bound id for 4× as many ids.
   */
  readonly cacheSize?: number
  readonly cacheIdleTtlMs?: number
  readonly delegateTimeoutMs?: number
  /**
   * Most nodes a bound tree from namerd may have (the router's `bindingNodeLimit`): a larger
   * one fails its name instead of being routed over.
   */
  readonly maxNodes?: number
  /** namerd's replicas when `dst` is bound through the router's namers; closed with this. */
  readonly address?: NamerdAddress
  /** The router's own `dtab`, sent to namerd before each request's override (linkerd's way). */
  readonly routerDtab?: Dtab
  readonly log?: (message: string) => void
  readonly now?: () => number
}

/** Binds through namerd; see the file header. `close()` stops every stream. */
export class NamerdInterpreter implements Interpreter {
  readonly #o: NamerdInterpreterOptions
  readonly #deps: StreamDeps
  readonly #addrs: Lru<string, StreamVar<Addr>>
  readonly #dtab: StreamVar<ActState<Dtab>>
  readonly #stopDtab: () => void
  #closed = false
  #reached: { origins: readonly string[]; addresses: { host: string; port: number }[] } | undefined

  constructor(options: NamerdInterpreterOptions) {
    this.#o = options
    const log = options.log ?? ((m: string) => process.stderr.write(`${m}\n`))
    const origin = options.address?.origin
    this.#deps = { ...options, log, origin, live: new Set(), isClosed: () => this.#closed }
    const size = options.cacheSize ?? 1000
    const ttl = options.cacheIdleTtlMs ?? 600_000
    this.#addrs = new Lru(size * 4, undefined, ttl)
    const where =
      options.address === undefined ? new URL(options.base).host : showPath(options.address.dst)
    const onState = outageLog(where, log)
    this.#dtab = new StreamVar(dtabUrl(options), PENDING, DTAB_CODEC, this.#deps, onState)
    this.#stopDtab = this.#dtab.subscribe(() => undefined)
  }

  /**
   * A new binding of `path`: one bind stream while observed (plus the linger). Requests share it
   * through the router's binding cache, which keeps one binding per (local dtab, name).
   */
  bind(localDtab: Dtab, path: Path): Activity<BoundTree> {
    const codec = { ...BIND_CODEC, decode: (doc: unknown) => this.#decodeBind(doc) }
    const sent = concatDtabs(this.#o.routerDtab ?? EMPTY_DTAB, localDtab)
    return new StreamVar(bindUrl(this.#o, sent, path), PENDING, codec, this.#deps)
  }

  /** The namespace's dtab as namerd last sent it (empty until it has) ++ the router's. */
  readonly baseDtab = (): Dtab => {
    const state = this.#dtab.get()
    const namerd = state.type === 'ok' ? state.value : EMPTY_DTAB
    return concatDtabs(namerd, this.#o.routerDtab ?? EMPTY_DTAB)
  }

  delegate(localDtab: Dtab, path: Path): Promise<unknown> {
    const sent = concatDtabs(this.#o.routerDtab ?? EMPTY_DTAB, localDtab)
    let target
    try {
      target = this.#oneOff()
    } catch (e) {
      return Promise.reject(new RouterError('ERR_NAMERD_UNREACHABLE', errorMessage(e)))
    }
    return delegateThroughNamerd(target, sent, path, this.#o.delegateTimeoutMs ?? 10_000)
  }

  /** The version namerd holds now for the namespace (admin `/admin/dtabs.json`). */
  async dtabVersion(): Promise<string | undefined> {
    let target
    try {
      target = this.#oneOff()
    } catch {
      return undefined // no replica known yet
    }
    return namerdVersion(target, Math.min(this.#o.delegateTimeoutMs ?? 2000, 2000))
  }

  /** Where a one-off request goes: a replica (throws when none is known) or `base`. */
  #oneOff(): NamerdTarget & { readonly tls?: NamerdInterpreterOptions['tls'] } {
    const base = this.#o.address?.origin() ?? this.#o.base
    return { base, namespace: this.#o.namespace, tls: this.#o.tls }
  }

  /** Where namerd is reached now: its replicas, or the one `base` (same array until a change). */
  namerdAddresses(): readonly { host: string; port: number }[] {
    const address = this.#o.address
    if (address === undefined && this.#reached !== undefined) return this.#reached.addresses
    const origins = address?.origins() ?? [this.#o.base]
    if (this.#reached?.origins !== origins) {
      this.#reached = { origins, addresses: origins.map(hostPort) }
    }
    return this.#reached.addresses
  }

  /** Counts for the metrics: live streams, those not open, and the oldest outage (ms). */
  health(): StreamHealth {
    return streamHealth(this.#deps.live, Date.now())
  }

  /** Every stream and its value, for the admin `interpreter_state` page. */
  state(): NamerdInterpreterState {
    const a = this.#o.address
    const target = a === undefined ? this.#o : { ...this.#o, base: showPath(a.dst) }
    const state = interpreterState(target, this.#deps.live)
    return a === undefined ? state : { ...state, replicas: a.origins() }
  }

  close(): void {
    if (this.#closed) return
    this.#closed = true
    this.#stopDtab()
    for (const v of [...this.#deps.live]) v.close()
    this.#o.address?.close()
    this.#addrs.clear()
  }

  /** A bind document, unless its tree is larger than a bind here may make (a failure then). */
  #decodeBind(doc: unknown): ActState<BoundTree> {
    const tree = boundTreeFromJson(doc)
    const limit = this.#o.maxNodes ?? MAX_BIND_NODES
    if (treeSizeUpTo(tree, limit) > limit) return failed(new BindingTooLargeError(limit))
    return ok(this.#live(tree))
  }

  /** A bound tree whose leaves follow their id's address stream. */
  #live(tree: BoundTree): BoundTree {
    return mapTree(tree, (leaf: BoundLeaf) => {
      const { id, path, addr } = leaf.bound
      return { type: 'leaf', value: { bound: { id, path, addr: this.#addr(id, addr.get()) } } }
    })
  }

  #addr(id: Path, snapshot: Addr): StreamVar<Addr> {
    const now = this.#now()
    const key = showPath(id)
    let v = this.#addrs.get(key, now)
    if (v === undefined) {
      v = new StreamVar(addrUrl(this.#o, id), ADDR_PENDING, ADDR_CODEC, this.#deps)
      if (!this.#closed) this.#addrs.set(key, v, now)
    }
    if (snapshot.type !== 'pending') v.seed(withoutWeightStamp(snapshot))
    return v
  }

  #now(): number {
    return (this.#o.now ?? Date.now)()
  }
}

/** `http://host:port` as a host (IPv6 without brackets) and a port (80 when absent). */
function hostPort(origin: string): { host: string; port: number } {
  const url = new URL(origin)
  const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname
  return { host, port: url.port === '' ? 80 : Number(url.port) }
}
