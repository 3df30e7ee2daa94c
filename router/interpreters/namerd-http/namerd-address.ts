/**
 * Where namerd is when `dst` is not one fixed `/$/inet/<host>/<port>`: a path bound through the
 * router's own namers (linkerd's way: `dst: /#/io.l5d.fs/namerd` lists the replicas), followed
 * live. Each new connection takes the next address in turn, so streams spread over the
 * replicas, and a stream whose replica died reconnects to another one.
 */
import {
  Binding,
  EMPTY_DTAB,
  showPath,
  type ActState,
  type Addr,
  type BoundLeaf,
  type MountedNamer,
  type NameTree,
  type Path,
  type Var,
} from '../../../dtabs/index.js'
import { pickLeaf } from '../../../dtabs/pick.js'

/** namerd's replicas as the router's namers give them. `close()` stops following. */
export class NamerdAddress {
  readonly #binding: Binding
  readonly #stopBinding: () => void
  #addr: { readonly v: Var<Addr>; readonly stop: () => void } | undefined
  #origins: readonly string[] = []
  #why = 'pending'
  #next = 0

  constructor(
    /** The `dst` path, shown (for messages and the admin page). */
    readonly dst: Path,
    namers: readonly MountedNamer[],
    /** `http`, or `https` when the interpreter speaks TLS to namerd. */
    private readonly scheme: 'http' | 'https' = 'http',
  ) {
    this.#binding = new Binding({ dtab: EMPTY_DTAB, namers }, dst)
    this.#stopBinding = this.#binding.subscribe((state) => this.#follow(state))
    this.#follow(this.#binding.get())
  }

  /** The origin for a new connection, in turn; throws when no address is known (yet). */
  readonly origin = (): string => {
    if (this.#origins.length === 0) {
      throw new Error(`no address for namerd's dst ${showPath(this.dst)} (${this.#why})`)
    }
    const origin = this.#origins[this.#next++ % this.#origins.length] as string
    return origin
  }

  /** The origins known now (`http://host:port`). */
  origins(): readonly string[] {
    return this.#origins
  }

  close(): void {
    this.#stopBinding()
    this.#addr?.stop()
    this.#addr = undefined
  }

  #follow(state: ActState<NameTree<BoundLeaf>>): void {
    const leaf = state.type === 'ok' ? pickLeaf(state.value) : undefined
    const v = leaf?.bound.addr
    if (v !== this.#addr?.v) {
      this.#addr?.stop()
      this.#addr = v === undefined ? undefined : { v, stop: v.subscribe((a) => this.#set(a)) }
    }
    if (v !== undefined) return this.#set(v.get())
    this.#origins = []
    this.#why =
      state.type === 'failed' ? state.error.message : state.type === 'ok' ? 'neg' : 'pending'
  }

  #set(addr: Addr): void {
    if (addr.type !== 'bound') {
      // pending and failed keep the last known replicas; neg empties them
      if (addr.type === 'neg') this.#origins = []
      this.#why = addr.type === 'failed' ? addr.cause : addr.type
      return
    }
    this.#origins = addr.addrs.map(({ host, port }) =>
      host.includes(':')
        ? `${this.scheme}://[${host}]:${port}`
        : `${this.scheme}://${host}:${port}`,
    )
    this.#why = 'no addresses'
  }
}
