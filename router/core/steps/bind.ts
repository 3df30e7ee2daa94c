/**
 * Binding: the logical name under the call's local dtab becomes a bound tree, from the router's
 * one binding cache. A binding still pending (a namer or namerd not answered yet) is waited for,
 * up to `bindingTimeoutMs` (504, or why it is stalled, e.g. namerd unreachable); a failed one
 * is a 502. This is also where the call joins its service's stats and gets its settings
 * (timeout, classifier, retries).
 */
import type { ActState, BoundLeaf, NameTree } from '../../../dtabs/index.js'
import { errorCode } from '../../../lib/errors.js'
import { RouterError } from '../../errors.js'
import { stalledReason } from '../../model.js'
import type { Bindings } from '../bindings.js'
import type { Call } from '../call.js'
import { finagleDuration } from '../failures.js'
import { waitThen, type Service, type Step } from '../service.js'

type BoundTree = NameTree<BoundLeaf>

export function bind(bindings: Bindings, bindingTimeoutMs: number): Step {
  return (next: Service) =>
    function bound(call, handler): void {
      const entry = bindings.get(call.local, call.dst, call.name)
      const service = (call.service = entry.service)
      service.requests++
      service.pending++
      call.policy = entry.policy
      call.retries = entry.retries
      const state = entry.binding.get()
      if (state.type !== 'pending') return withTree(state, call, next, handler)
      const onTimeout = (): Error =>
        stalledReason(entry.binding, call.name) ?? bindingTimeout(bindingTimeoutMs, call.name)
      const ready = (s: ActState<BoundTree>): boolean => s.type !== 'pending'
      waitThen(
        { v: entry.binding, ready, ms: bindingTimeoutMs, onTimeout },
        call,
        handler,
        (s) => (c, h) => withTree(s, c, next, h),
      )
    }
}

function withTree(
  state: ActState<BoundTree>,
  call: Call,
  next: Service,
  handler: Parameters<Service>[1],
): void {
  if (state.type === 'failed') throw bindFailed(state.error, call)
  if (state.type === 'pending') throw new Error('unreachable: pending binding')
  call.tree = state.value
  next(call, handler)
}

/**
 * 502, or 400 when the bind ran out of its `bindingNodeLimit` with the request's own override
 * in the dtab (the client's dtab is at fault, and retrying it elsewhere cannot help).
 */
function bindFailed(error: Error, call: Call): RouterError {
  const message = `${error.message}\n\nservice name: ${call.name}`
  if (errorCode(error) !== 'ERR_BIND_TOO_LARGE') return new RouterError('ERR_BIND_FAILED', message)
  const local = call.local.dtab.length > 0
  return new RouterError(local ? 'ERR_OVERRIDE_BIND_TOO_LARGE' : 'ERR_BIND_TOO_LARGE', message)
}

/** 504: the name was still pending after the binding timeout (linkerd's wording). */
export function bindingTimeout(ms: number, what: string): RouterError {
  return new RouterError(
    'ERR_BINDING_TIMEOUT',
    `Exceeded ${finagleDuration(ms)} binding timeout while resolving name: ${what}`,
  )
}
