/**
 * The load balancer family (`client.loadBalancer`, as linkerd 1's `LoadBalancerConfig`):
 * `p2c` (default), `ewma` and `roundRobin`. A kind's plug-in makes a `BalancerFactory`; the
 * router makes one balancer per client (bound id) from it. linkerd's `aperture` and `heap` are
 * not provided.
 */
import { Section } from '../../lib/config/section.js'
import { parseKind, type Plugin, registry } from '../../lib/plugin.js'
import type { BalancerFactory } from '../model.js'
import { ewma } from './ewma.js'
import { p2c } from './p2c.js'
import { roundRobin } from './round-robin.js'

/** A balancer kind: `parse` reads its section and needs no dependencies. */
export type BalancerPlugin = Plugin<BalancerFactory, Record<string, never>>

/** The built-in kinds. */
export const balancers = registry(p2c, ewma, roundRobin)

/**
 * The balancer factory a `loadBalancer` section describes; `p2c` with its defaults when the
 * section or its `kind` is absent. Throws a `ConfigError` for an unknown kind or key, or a bad
 * value. Performs no I/O.
 */
export function parseBalancer(s: Section | undefined): BalancerFactory {
  const section = s ?? new Section({}, 'loadBalancer')
  const make = parseKind(balancers, section, {
    defaultKind: p2c.kind,
    notHere: ['aperture', 'heap'],
  })
  return make({})
}

export { BalancedEndpoint, endpointKey, endpointWeight, WEIGHT_KEY } from './endpoints.js'
export { ewma, EwmaBalancer, ewmaBalancer, type EwmaOptions } from './ewma.js'
export { p2c, P2cBalancer, p2cBalancer } from './p2c.js'
export { roundRobin, RoundRobinBalancer, roundRobinBalancer } from './round-robin.js'
export type { CommonOptions } from './options.js'
