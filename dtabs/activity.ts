/**
 * Observable values. A `Var<T>` holds a current value that may change; subscribers are told
 * of changes in a microtask after they happen (several changes in one tick are coalesced into
 * one call with the latest value), so a listener is never called synchronously during
 * `subscribe` or `set`. A Var may own a source that runs only while it has subscribers.
 */
export interface Var<T> {
  /** The current value. */
  get(): T
  /** Calls `listener` after each change until the returned function is called. */
  subscribe(listener: (value: T) => void): () => void
  /** True if the value can never change (subscribing is then pointless). */
  readonly constant: boolean
}

/** Starts a source for a Var when it gains its first subscriber; returns how to stop it. */
export type Source<T> = (cell: Cell<T>) => () => void

/**
 * A settable Var. With a `source`, the source is started when the first subscriber arrives
 * and stopped when the last one leaves; the last value is kept while stopped.
 */
export class Cell<T> implements Var<T> {
  readonly constant = false
  private readonly listeners = new Set<(value: T) => void>()
  private scheduled = false
  private stop: (() => void) | undefined

  constructor(
    private value: T,
    private readonly source?: Source<T>,
  ) {}

  get(): T {
    return this.value
  }

  /** Sets the value; subscribers are told in a microtask unless it is the same (`===`) value. */
  set(value: T): void {
    if (value === this.value) return
    this.value = value
    if (this.listeners.size === 0 || this.scheduled) return
    this.scheduled = true
    queueMicrotask(() => this.flush())
  }

  private flush(): void {
    this.scheduled = false
    const value = this.value
    for (const listener of [...this.listeners]) {
      if (this.listeners.has(listener)) listener(value)
    }
  }

  subscribe(listener: (value: T) => void): () => void {
    const wrapped = (v: T): void => listener(v)
    this.listeners.add(wrapped)
    if (this.listeners.size === 1 && this.source !== undefined) this.stop = this.source(this)
    return () => {
      if (!this.listeners.delete(wrapped)) return
      if (this.listeners.size === 0 && this.stop !== undefined) {
        const stop = this.stop
        this.stop = undefined
        stop()
      }
    }
  }

  /** Number of current subscribers (for admin pages and tests). */
  get observers(): number {
    return this.listeners.size
  }
}

class Constant<T> implements Var<T> {
  readonly constant = true
  constructor(private readonly value: T) {}
  get(): T {
    return this.value
  }
  subscribe(): () => void {
    return noop
  }
}

function noop(): void {}

/** A Var that never changes. */
export function constant<T>(value: T): Var<T> {
  return new Constant(value)
}

/** The state of a computation that may not be ready yet (Finagle's `Activity`). */
export type ActState<T> =
  | { readonly type: 'pending' }
  | { readonly type: 'ok'; readonly value: T }
  | { readonly type: 'failed'; readonly error: Error }

/** A Var of `ActState`: a watchable value that is pending, ok or failed. */
export type Activity<T> = Var<ActState<T>>

export const PENDING: { readonly type: 'pending' } = Object.freeze({ type: 'pending' })
export const ok = <T>(value: T): ActState<T> => ({ type: 'ok', value })
export const failed = <T = never>(error: Error): ActState<T> => ({ type: 'failed', error })

/**
 * Resolves with the first value of `v` that `ready` accepts (the current one if it does),
 * or rejects with `onTimeout()` after `ms` milliseconds.
 */
export function waitFor<T>(
  v: Var<T>,
  ready: (value: T) => boolean,
  ms: number,
  onTimeout: () => Error,
): Promise<T> {
  const now = v.get()
  if (ready(now)) return Promise.resolve(now)
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      unsubscribe()
      reject(onTimeout())
    }, ms)
    const unsubscribe = v.subscribe((value) => {
      if (!ready(value)) return
      clearTimeout(timer)
      unsubscribe()
      resolve(value)
    })
  })
}

/** Resolves true when one of `vars` changes, false after `ms` (at once if there are none). */
export function anyChange(vars: readonly Var<unknown>[], ms: number): Promise<boolean> {
  if (vars.length === 0 || ms <= 0) return Promise.resolve(false)
  return new Promise((resolve) => {
    const stops: (() => void)[] = []
    const finish = (changed: boolean): void => {
      clearTimeout(timer)
      for (const stop of stops.splice(0)) stop()
      resolve(changed)
    }
    const timer = setTimeout(() => finish(false), ms)
    for (const v of vars) stops.push(v.subscribe(() => finish(true)))
  })
}

/**
 * Runs `compute` (which lists the changeable values it read in `deps`) until its answer is no
 * longer pending, re-running it whenever one of those values changes, for at most `ms`. The last
 * answer is returned, pending if time ran out. For one-shot questions (explain a delegation now).
 */
export async function settle<T>(
  compute: (deps: Var<unknown>[]) => ActState<T>,
  ms: number,
): Promise<ActState<T>> {
  const deadline = Date.now() + ms
  for (;;) {
    const deps: Var<unknown>[] = []
    const state = compute(deps)
    if (state.type !== 'pending') return state
    if (!(await anyChange(deps, deadline - Date.now()))) return state
  }
}
