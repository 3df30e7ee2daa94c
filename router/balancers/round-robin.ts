/**
 * `roundRobin`: endpoints in turn, each as often as its weight says (Finagle
 * `RoundRobinBalancer` visits its endpoints in turn; weights are added here with a smooth
 * weighted cycle, see `rr-schedule.ts`). Load is not looked at.
 *
 * ```yaml
 * loadBalancer:
 *   kind: roundRobin
 *   maxEffort: 5
 * ```
 */
import type { Balancer, BalancerFactory, Endpoint } from '../model.js'
import { type Addresses, BalancedEndpoint, endRequest, reconcile } from './endpoints.js'
import type { BalancerPlugin } from './index.js'
import { type CommonOptions, readCommon } from './options.js'
import { roundRobinSchedule } from './rr-schedule.js'

function newEndpoint(key: string, host: string, port: number, weight: number): BalancedEndpoint {
  return new BalancedEndpoint(key, host, port, weight)
}

/**
 * A pick is the next entry of the cycle. An update keeps the position in the cycle; the first
 * non-empty one starts at a random position, so that many clients do not all begin with the
 * same endpoint. `maxEffort` is accepted but not needed: there is no health to retry on.
 */
export class RoundRobinBalancer implements Balancer {
  private list: readonly BalancedEndpoint[] = []
  private cycle: Uint32Array = new Uint32Array(0)
  private next = 0

  constructor(
    private readonly random: () => number,
    readonly maxEffort: number,
  ) {}

  /** The current endpoints, in address order (zero-weight ones included). */
  get endpoints(): readonly BalancedEndpoint[] {
    return this.list
  }

  update(addrs: Addresses): void {
    const wasEmpty = this.cycle.length === 0
    this.list = reconcile(this.list, addrs, newEndpoint)
    this.cycle = roundRobinSchedule(this.list.map((e) => e.weight))
    const n = this.cycle.length
    if (n === 0) this.next = 0
    else this.next = wasEmpty ? Math.min(Math.floor(this.random() * n), n - 1) : this.next % n
  }

  /** The next endpoint of the cycle; with `avoid`, the one after when the next is `avoid`. */
  acquire(avoid?: Endpoint): BalancedEndpoint | undefined {
    const n = this.cycle.length
    if (n === 0) return undefined
    let e = this.take(n)
    if (e === avoid && this.list.length > 1) e = this.take(n)
    if (e !== undefined) e.pending += 1
    return e
  }

  private take(n: number): BalancedEndpoint | undefined {
    const i = this.cycle[this.next] ?? 0
    this.next = this.next + 1 === n ? 0 : this.next + 1
    return this.list[i]
  }

  release(endpoint: Endpoint): void {
    endRequest(endpoint)
  }
}

/** A factory of `roundRobin` balancers; each uses `random` (default `Math.random`) to start. */
export function roundRobinBalancer(options: CommonOptions): BalancerFactory {
  return function newRoundRobinBalancer(random = Math.random) {
    return new RoundRobinBalancer(random, options.maxEffort)
  }
}

export const roundRobin: BalancerPlugin = {
  kind: 'roundRobin',
  parse(s) {
    const options = readCommon(s)
    return function makeRoundRobin() {
      return roundRobinBalancer(options)
    }
  },
}
