import {
  EMPTY_DTAB,
  MAX_BIND_NODES,
  PENDING,
  constant,
  failed,
  ok,
  showDtab,
  showPath,
  type ActState,
  type Activity,
  type BoundLeaf,
  type Dtab,
  type MountedNamer,
  type NameTree,
  type Path,
  type Var,
} from '../dtabs/index.js'
import { Lru } from '../lib/lru.js'
import { DtabInterpreter } from '../dtabs/interpreter.js'
import { ApiError } from './api/errors.js'
import type { DtabStore } from './storage/dtab-store.js'
import type { NsState } from './storage/namespace-cache.js'

export interface NamespacesOptions {
  /** Cached live bindings per namespace (default 1000) and their idle expiry (default 10 min). */
  readonly cacheSize?: number
  readonly cacheIdleTtlMs?: number
  /** Longest a delegation waits for namers (default 2 s, linkerd's). */
  readonly delegateTimeoutMs?: number
  /** Namespaces with a live interpreter at most (default 10,000). */
  readonly maxNamespaces?: number
  /** Work budget of one bind or delegation (`bindingNodeLimit`, default `MAX_BIND_NODES`). */
  readonly maxNodes?: number
}

/** A namespace's interpreter and the live bindings its requests share. */
interface Namespace {
  readonly interpreter: DtabInterpreter
  /** namerd's binding cache: bounded, idle entries expire; dropping one only forgets it. */
  readonly bindings: Lru<string, Activity<NameTree<BoundLeaf>>>
}

/**
 * A namespace's cache of bindings keeps at most 256 Ki characters of requests' own dtabs
 * (`dtab=`), besides its entries: a parsed dtab takes about 30 times its text, so distinct large
 * ones would otherwise hold tens of MB. The key is `<local dtab>\n<path>`.
 */
const LOCAL_DTAB_TEXT = { of: (key: string) => key.indexOf('\n'), max: 256 * 1024 }

/**
 * One interpreter per namespace (linkerd's `ConfiguredDtabNamer` over `storage.observe(ns)`):
 * binds with the namespace's stored dtab ++ the request's dtab through the configured namers.
 * A namespace with no dtab binds with the empty dtab, as in namerd; a stored dtab that does not
 * parse fails every binding with the parse message. Requests for the same (dtab, path) share
 * one live binding (and so one set of namer watches) through the namespace's binding cache.
 */
export class Namespaces {
  /**
   * Bounded by count only (no idle expiry: a long watch may be the only user of a namespace).
   * Past `maxNamespaces` distinct namespaces the least recently used interpreter is closed; its
   * bindings keep their last dtab.
   */
  private readonly byNs: Lru<string, Namespace>
  private bare: DtabInterpreter | undefined

  constructor(
    private readonly store: DtabStore,
    readonly namers: readonly MountedNamer[],
    private readonly options: NamespacesOptions = {},
  ) {
    this.byNs = new Lru(options.maxNamespaces ?? 10_000, (_ns, n) => n.interpreter.close())
  }

  /** The work budget of every bind and delegation namerd makes. */
  get maxNodes(): number {
    return this.options.maxNodes ?? MAX_BIND_NODES
  }

  interpreter(ns: string): DtabInterpreter {
    return this.namespace(ns).interpreter
  }

  /** The live binding of `path` under `local` in namespace `ns`, shared while cached. */
  bind(ns: string, local: Dtab, path: Path): Activity<NameTree<BoundLeaf>> {
    const { interpreter, bindings } = this.namespace(ns)
    const now = Date.now()
    bindings.sweep(now)
    const key = `${showDtab(local)}\n${showPath(path)}`
    let binding = bindings.get(key, now)
    if (binding === undefined) {
      binding = interpreter.bind(local, path)
      bindings.set(key, binding, now)
    }
    return binding
  }

  /**
   * The live bindings routers following namerd hold now: the namespace's cached bindings with no
   * local dtab, by path (least recently used first; at most `cacheSize`). None when the namespace
   * has no interpreter (nothing bound in it lately). Reading them does not keep them alive.
   */
  live(ns: string): { readonly path: string; readonly binding: Activity<NameTree<BoundLeaf>> }[] {
    const n = this.byNs.get(ns)
    if (n === undefined) return []
    n.bindings.sweep(Date.now())
    const out = []
    for (const [key, binding] of n.bindings.entries())
      if (key.startsWith('\n')) out.push({ path: key.slice(1), binding })
    return out
  }

  private namespace(ns: string): Namespace {
    let n = this.byNs.get(ns)
    if (n === undefined) {
      const interpreter = new DtabInterpreter({
        base: dtabOf(this.store.observe(ns)),
        namers: this.namers,
        delegateTimeoutMs: this.options.delegateTimeoutMs ?? 2000,
        maxNodes: this.maxNodes,
      })
      const { cacheSize = 1000, cacheIdleTtlMs = 600_000 } = this.options
      n = { interpreter, bindings: new Lru(cacheSize, undefined, cacheIdleTtlMs, LOCAL_DTAB_TEXT) }
      this.byNs.set(ns, n)
    }
    return n
  }

  /** An interpreter with no stored dtab (`/api/1/delegate` without a namespace). */
  standalone(): DtabInterpreter {
    this.bare ??= new DtabInterpreter({
      base: constant(ok(EMPTY_DTAB)),
      namers: this.namers,
      delegateTimeoutMs: this.options.delegateTimeoutMs ?? 2000,
      maxNodes: this.maxNodes,
    })
    return this.bare
  }

  close(): void {
    this.bare?.close()
    this.byNs.clear()
  }
}

/**
 * The namespace's dtab as an Activity. `get()` always reads the current state, and the same
 * state gives the same Dtab object (bindings compare bases by identity).
 */
function dtabOf(ns: Var<NsState>): Var<ActState<Dtab>> {
  let lastIn: NsState | undefined
  let lastOut: ActState<Dtab> = PENDING
  const map = (s: NsState): ActState<Dtab> => {
    if (s === lastIn) return lastOut
    lastIn = s
    lastOut = toDtab(s)
    return lastOut
  }
  return {
    constant: false,
    get: () => map(ns.get()),
    subscribe: (listener) => ns.subscribe((s) => listener(map(s))),
  }
}

const EMPTY: ActState<Dtab> = ok(EMPTY_DTAB)

function toDtab(s: NsState): ActState<Dtab> {
  switch (s.type) {
    case 'pending':
      return PENDING
    case 'absent':
      return EMPTY
    case 'found':
      return ok(s.dtab)
    case 'invalid':
      return failed(
        new ApiError('ERR_STORED_DTAB_INVALID', `the stored dtab does not parse: ${s.error}`),
      )
  }
}
