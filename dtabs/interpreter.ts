/**
 * The interpreter behind `default` and `io.l5d.fs` (linkerd's `ConfiguredDtabNamer`): binds
 * with `base ++ localDtab` through the configured namers, where `base` is a watchable dtab (a
 * constant for `default`, the watched file ++ the router's dtab for `io.l5d.fs`).
 *
 * How bindings follow the base dtab: `bind` returns a `LiveBinding`, which owns no tree of its
 * own but, while observed, follows one `Binding` of `base ++ local` and re-points to a new one
 * whenever `base` changes (subscribing to the new binding before dropping the old, so shared
 * namer watches stay up). Subscribers keep the same object and simply hear the new tree; they
 * hear nothing when a base change does not change their tree. Unobserved, `get()` binds afresh
 * with the current base. A base that is `pending` or `failed` (a dtab file not read yet) makes
 * every binding pending or failed until it is `ok`.
 */
import {
  Binding,
  Cell,
  EMPTY_DTAB,
  PENDING,
  bindOnce,
  MAX_BIND_NODES,
  boundsOf,
  concatDtabs,
  delegate as delegateOnce,
  delegateTreeToJson,
  failed,
  sameState,
  settle,
  settleAddrs,
  showPath,
  type ActState,
  type Activity,
  type BoundLeaf,
  type DelegateTree,
  type Dtab,
  type MountedNamer,
  type NameTree,
  type Path,
  type Var,
  type BindContext,
} from './index.js'
import { DelegationTimeoutError } from './errors.js'

type BoundTree = NameTree<BoundLeaf>

export interface DtabInterpreterOptions {
  /** The base dtab (configured dtab, possibly a watched file's ++ the router's). */
  readonly base: Var<ActState<Dtab>>
  /** Configured namers, then `/$`. */
  readonly namers: readonly MountedNamer[]
  /** Longest a delegation waits for pending namers and addresses (default 10 s). */
  readonly delegateTimeoutMs?: number
  /**
   * Work budget of one bind and node budget of one delegation (`bindingNodeLimit`, default
   * `MAX_BIND_NODES`).
   */
  readonly maxNodes?: number
  /** Called by `close()` (e.g. to stop watching a dtab file). */
  readonly onClose?: () => void
}

/**
 * Binds `base ++ local`. Each `bind` makes a new live binding: callers that bind the same name
 * often keep theirs (the router's binding cache, namerd's per namespace). `close()` calls
 * `onClose`; bindings then keep the last base they saw.
 */
export class DtabInterpreter {
  private readonly base: Var<ActState<Dtab>>
  private readonly namers: readonly MountedNamer[]
  private readonly delegateTimeoutMs: number
  private readonly maxNodes: number
  private readonly onClose: (() => void) | undefined
  private closed = false

  constructor(options: DtabInterpreterOptions) {
    this.base = options.base
    this.namers = options.namers
    this.delegateTimeoutMs = options.delegateTimeoutMs ?? 10_000
    this.maxNodes = options.maxNodes ?? MAX_BIND_NODES
    this.onClose = options.onClose
  }

  bind(localDtab: Dtab, path: Path): Activity<BoundTree> {
    const binder = { namers: this.namers, maxNodes: this.maxNodes }
    return new LiveBinding(this.base, binder, localDtab, path)
  }

  /** The base dtab in force; empty while a dtab file has not been read successfully. */
  readonly baseDtab = (): Dtab => {
    const state = this.base.get()
    return state.type === 'ok' ? state.value : EMPTY_DTAB
  }

  /** The delegation of `path` as namerd's JSON, waiting for pending namers and addresses. */
  async delegate(localDtab: Dtab, path: Path): Promise<unknown> {
    const deadline = Date.now() + this.delegateTimeoutMs
    const state = await settle(
      (deps) => this.delegateNow(localDtab, path, deps),
      this.delegateTimeoutMs,
    )
    if (state.type === 'failed') throw state.error
    if (state.type === 'pending') throw delegateTimeout(path, this.delegateTimeoutMs)
    await settleAddrs(boundsOf(state.value), Math.max(0, deadline - Date.now()))
    return delegateTreeToJson(state.value)
  }

  close(): void {
    if (this.closed) return
    this.closed = true
    this.onClose?.()
  }

  private delegateNow(local: Dtab, path: Path, deps: Var<unknown>[]): ActState<DelegateTree> {
    const base = this.base.get()
    if (base.type === 'pending') deps.push(this.base)
    if (base.type === 'failed') return failed(base.error)
    if (base.type === 'pending') return PENDING
    const ctx = { dtab: concatDtabs(base.value, local), namers: this.namers }
    return delegateOnce({ ...ctx, maxNodes: this.maxNodes }, path, deps)
  }
}

/** A delegation still waiting for a namer when its time ran out (as a binding timeout). */
function delegateTimeout(path: Path, ms: number): DelegationTimeoutError {
  return new DelegationTimeoutError(showPath(path), ms)
}

/** The binding `bind` returns: follows `base ++ local` as described in the file header. */
export class LiveBinding implements Activity<BoundTree> {
  readonly constant = false
  private readonly cell: Cell<ActState<BoundTree>>
  private inner: { readonly base: Dtab; readonly stop: () => void } | undefined

  constructor(
    private readonly base: Var<ActState<Dtab>>,
    private readonly binder: Omit<BindContext, 'dtab'>,
    readonly localDtab: Dtab,
    readonly path: Path,
  ) {
    this.cell = new Cell<ActState<BoundTree>>(PENDING, () => this.start())
  }

  get(): ActState<BoundTree> {
    if (this.cell.observers > 0) return this.cell.get()
    const base = this.base.get()
    if (base.type !== 'ok') return notOk(base)
    return bindOnce(this.context(base.value), this.path)
  }

  subscribe(listener: (value: ActState<BoundTree>) => void): () => void {
    return this.cell.subscribe(listener)
  }

  /** Subscribers now (for tests and admin pages). */
  get observers(): number {
    return this.cell.observers
  }

  private context(base: Dtab): BindContext {
    return { ...this.binder, dtab: concatDtabs(base, this.localDtab) }
  }

  private start(): () => void {
    const stopBase = this.base.subscribe(() => this.follow())
    this.follow()
    return () => {
      stopBase()
      this.inner?.stop()
      this.inner = undefined
    }
  }

  private follow(): void {
    const base = this.base.get()
    if (base.type !== 'ok') {
      this.inner?.stop()
      this.inner = undefined
      return this.publish(notOk(base))
    }
    if (this.inner?.base === base.value) return
    const binding = new Binding(this.context(base.value), this.path)
    const stop = binding.subscribe((state) => this.publish(state))
    this.inner?.stop()
    this.inner = { base: base.value, stop }
    this.publish(binding.get())
  }

  private publish(state: ActState<BoundTree>): void {
    if (!sameState(this.cell.get(), state)) this.cell.set(state)
  }
}

function notOk(state: ActState<Dtab>): ActState<BoundTree> {
  return state.type === 'failed' ? failed(state.error) : PENDING
}
