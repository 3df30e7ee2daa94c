/**
 * A Var computed from another one, for transformers: `f` runs once per new source value (never
 * per `get()`, so never per request), and an answer equal to the previous one (as `f` decides)
 * keeps the previous object, so subscribers hear only real changes.
 */
import type { Var } from '../../dtabs/index.js'
import { stalledReason, type Stallable } from '../model.js'

/**
 * `f(source)` as a Var. `f(value, previous)` may return `previous` to say "unchanged". The
 * source is subscribed to only while this Var has subscribers; `stalled` forwards to the
 * source, so a binding timeout still explains a namerd outage through a transformer.
 */
export class MappedVar<A, B> implements Var<B>, Stallable {
  readonly constant: boolean
  private readonly listeners = new Set<(value: B) => void>()
  private stop: (() => void) | undefined
  /** The value subscribers last heard of (while observed). */
  private heard: B | undefined
  private mapped: { readonly input: A; readonly output: B } | undefined

  constructor(
    /** What this Var maps (the router's override guard reads the address set before it). */
    readonly source: Var<A>,
    private readonly f: (value: A, previous: B | undefined) => B,
  ) {
    this.constant = source.constant
  }

  /** Always current (the source's value, mapped), even between a change and its notification. */
  get(): B {
    return this.map(this.source.get())
  }

  /**
   * Like a Cell's: the listener hears later changes, after the source's own notification. The
   * source is subscribed to before it is read, so an unobserved binding is not bound twice.
   */
  subscribe(listener: (value: B) => void): () => void {
    const wrapped = (value: B): void => listener(value)
    this.listeners.add(wrapped)
    if (this.listeners.size === 1) {
      this.stop = this.source.subscribe((value) => this.changed(value))
      this.heard = this.get()
    }
    return () => {
      if (!this.listeners.delete(wrapped) || this.listeners.size > 0) return
      const stop = this.stop
      this.stop = undefined
      stop?.()
    }
  }

  stalled(what: string): Error | undefined {
    return stalledReason(this.source, what)
  }

  private changed(value: A): void {
    const next = this.map(value)
    if (next === this.heard) return
    this.heard = next
    for (const listener of [...this.listeners]) {
      if (this.listeners.has(listener)) listener(next)
    }
  }

  private map(value: A): B {
    const last = this.mapped
    if (last !== undefined && last.input === value) return last.output
    const output = this.f(value, last?.output)
    this.mapped = { input: value, output }
    return output
  }
}
