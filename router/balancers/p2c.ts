/**
 * `p2c` (linkerd's default balancer): power of two choices, least loaded, where load is the
 * number of requests in flight divided by the endpoint's weight (Finagle `P2CLeastLoaded`).
 *
 * ```yaml
 * loadBalancer:
 *   kind: p2c
 *   maxEffort: 5
 * ```
 */
import type { BalancerFactory, Endpoint } from '../model.js'
import { BalancedEndpoint, endRequest } from './endpoints.js'
import type { BalancerPlugin } from './index.js'
import { type CommonOptions, readCommon } from './options.js'
import { TwoChoices } from './two-choices.js'

/**
 * Both candidates are drawn by weight; a second draw equal to the first is redrawn up to
 * `maxEffort` times, then the second is taken uniformly among the others. Comparing
 * pending / weight shares in-flight requests in proportion to weight, and when loads tie
 * (an idle client) the weighted first draw wins, so traffic follows the weights.
 */
export class P2cBalancer extends TwoChoices<BalancedEndpoint> {
  release(endpoint: Endpoint): void {
    endRequest(endpoint)
  }

  protected create(key: string, host: string, port: number, weight: number): BalancedEndpoint {
    return new BalancedEndpoint(key, host, port, weight)
  }

  protected second(p: number): number {
    const index = this.index
    let q = index.draw(this.random)
    for (let tries = 0; q === p && tries < this.maxEffort; tries++) q = index.draw(this.random)
    return q !== p ? q : index.other(this.random, p, 0, index.size)
  }

  protected lessLoaded(q: number, p: number): boolean {
    const { entries, scale } = this.index
    const a = entries[p]
    const b = entries[q]
    if (a === undefined || b === undefined) return false
    return b.pending * (scale[q] ?? 1) < a.pending * (scale[p] ?? 1)
  }
}

/** A factory of `p2c` balancers; each uses the given `random` (default `Math.random`). */
export function p2cBalancer(options: CommonOptions): BalancerFactory {
  return function newP2cBalancer(random = Math.random) {
    return new P2cBalancer(random, options.maxEffort)
  }
}

export const p2c: BalancerPlugin = {
  kind: 'p2c',
  parse(s) {
    const options = readCommon(s)
    return function makeP2c() {
      return p2cBalancer(options)
    }
  },
}
