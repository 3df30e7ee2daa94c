/**
 * The shared body of the two-choice balancers (`p2c`, `ewma`): draw one endpoint by weight,
 * draw a second distinct one (each kind says how), keep the less loaded (each kind says what
 * load is). A pick is O(1) and creates no objects; `update` does the O(n) work.
 */
import type { Balancer, Endpoint } from '../model.js'
import { type Addresses, type BalancedEndpoint, reconcile } from './endpoints.js'
import { WeightedIndex } from './weighted-index.js'

/** A power-of-two-choices balancer over endpoints of type `E`. */
export abstract class TwoChoices<E extends BalancedEndpoint> implements Balancer {
  protected readonly index = new WeightedIndex<E>()
  private list: readonly E[] = []

  constructor(
    protected readonly random: () => number,
    /** How many times a second draw that repeats the first is redrawn (Finagle `maxEffort`). */
    readonly maxEffort: number,
  ) {}

  /** The current endpoints, in address order (zero-weight ones included). */
  get endpoints(): readonly E[] {
    return this.list
  }

  update(addrs: Addresses): void {
    this.list = reconcile(this.list, addrs, (key, host, port, weight) =>
      this.create(key, host, port, weight),
    )
    this.index.rebuild(this.list)
  }

  /**
   * The less loaded of two distinct drawn endpoints (ties go to the first), counted in flight.
   * With `avoid` (an endpoint that just failed this request), the other candidate is taken
   * whenever one of the two is `avoid`.
   */
  acquire(avoid?: Endpoint): E | undefined {
    const index = this.index
    const n = index.size
    if (n === 0) return undefined
    let p = index.draw(this.random)
    if (n > 1) {
      const q = this.second(p)
      const entries = index.entries
      if (entries[p] === avoid || (entries[q] !== avoid && this.lessLoaded(q, p))) p = q
    }
    const e = index.entries[p]
    if (e !== undefined) e.pending += 1
    return e
  }

  /** Ends a request on `endpoint`, which may have been removed meanwhile. */
  abstract release(endpoint: Endpoint, latencyMs: number, ok: boolean | undefined): void

  /** Makes the state of an endpoint seen for the first time. */
  protected abstract create(key: string, host: string, port: number, weight: number): E

  /** The second candidate's position, ≠ `p` unless none fits (called with ≥ 2 positions). */
  protected abstract second(p: number): number

  /**
   * Whether the endpoint at position `q` is less loaded than the one at `p`. A boolean rather
   * than two loads, so no floating-point value crosses a call that the JIT may not inline.
   */
  protected abstract lessLoaded(q: number, p: number): boolean
}
