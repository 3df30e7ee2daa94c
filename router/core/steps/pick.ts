/**
 * Picking: a union of the bound tree sends this call to one member at random in proportion to
 * its weight (how a canary split happens), down to one bound leaf; its client (one per bound id)
 * balances over the leaf's endpoints. A tree with no leaf to route to is a 502 naming the name
 * and the dtabs; a client whose address set is still pending is waited for, up to
 * `bindingTimeoutMs`.
 */
import { pickLeaf, type Addr } from '../../../dtabs/index.js'
import { RouterError } from '../../errors.js'
import { stalledReason, type Interpreter } from '../../model.js'
import type { Clients } from '../clients.js'
import { finagleDuration, noRoute } from '../failures.js'
import { waitThen, type Service, type Step } from '../service.js'

export interface PickOptions {
  readonly clients: Clients
  readonly interpreter: Interpreter
  readonly bindingTimeoutMs: number
  readonly random: () => number
}

export function pick(o: PickOptions): Step {
  return (next: Service) =>
    function picked(call, handler): void {
      const leaf = call.tree === undefined ? undefined : pickLeaf(call.tree, o.random)
      if (leaf === undefined) throw noRoute(call.name, o.interpreter.baseDtab(), call.local.shown)
      const client = o.clients.get(leaf.bound)
      call.bound = leaf.bound
      call.client = client
      if (client.addr.type !== 'pending') return next(call, handler)
      const ms = o.bindingTimeoutMs
      const onTimeout = (): Error =>
        stalledReason(leaf.bound.addr, `${client.id} for name ${call.name}`) ??
        new RouterError(
          'ERR_BINDING_TIMEOUT',
          `Exceeded ${finagleDuration(ms)} binding timeout while connecting to ${client.id} for name: ${call.name}`,
        )
      const ready = (a: Addr): boolean => a.type !== 'pending'
      waitThen({ v: leaf.bound.addr, ready, ms, onTimeout }, call, handler, () => next)
    }
}
