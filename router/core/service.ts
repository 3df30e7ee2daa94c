/**
 * The two shapes of the request path. A `Service` routes or sends one call and reports its
 * answer to a handler; a `Step` is a per-request policy that wraps the next service
 * (`(next) => next'`, finagle's Filter, undici's interceptor). The router is a list of steps
 * composed over a terminal service that sends to an endpoint.
 */
import type { Var } from '../../dtabs/index.js'
import type { Call } from './call.js'
import type { ResponseHandler } from './handler.js'

/**
 * Handles one call: the answer (or the failure) goes to `handler`, exactly once, possibly later.
 * May throw synchronously; the error-answering step turns a throw into a response.
 */
export type Service = (call: Call, handler: ResponseHandler) => void

/** A per-request policy: the service it wraps in, the service it gives out. */
export type Step = (next: Service) => Service

/** `steps` around `last`, the first outermost: `compose([a, b], s)` is `a(b(s))`. */
export function compose(steps: readonly Step[], last: Service): Service {
  let service = last
  for (let i = steps.length - 1; i >= 0; i--) service = (steps[i] as Step)(service)
  return service
}

/**
 * Runs `next` so that a synchronous throw from it reaches `handler` as a failure: after an
 * asynchronous wait (a binding, an address set), and in a step whose handler must see every end
 * of the call (a place to give back, a timer to stop, an attempt to count), since a throw that
 * passed it by would reach only the error-answering step above it.
 */
export function resume(next: Service, call: Call, handler: ResponseHandler): void {
  try {
    next(call, handler)
  } catch (e) {
    handler.onError(e instanceof Error ? e : new Error(String(e)))
  }
}

/**
 * Waits for `v` to be `ready` (it may be now), then resumes the call with `next(value)`; after
 * `ms` the call fails with `onTimeout()` instead. The wait is what `abort` ends while it lasts:
 * the handler is given it (`onConnect`), so that a client that goes away, or a deadline that
 * passes, ends the call at once (nothing is sent later) and the wait lets go of its timer and `v`.
 */
export function waitThen<T>(
  w: { v: Var<T>; ready: (value: T) => boolean; ms: number; onTimeout: () => Error },
  call: Call,
  handler: ResponseHandler,
  next: (value: T) => Service,
): void {
  const now = w.v.get()
  if (w.ready(now)) return resume(next(now), call, handler)
  let over = false
  const end = (): boolean => {
    if (over) return false
    over = true
    clearTimeout(timer)
    unsubscribe()
    return true
  }
  const timer = setTimeout(() => {
    if (end()) handler.onError(w.onTimeout())
  }, w.ms)
  const unsubscribe = w.v.subscribe((value) => {
    if (w.ready(value) && end()) resume(next(value), call, handler)
  })
  handler.onConnect((err) => {
    if (end()) handler.onError(err)
  })
}
