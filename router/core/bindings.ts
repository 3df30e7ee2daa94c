/**
 * The router's one binding cache: a live binding per (local dtab, logical name), with what each
 * request for that name needs besides (its service stats and timeout). Bounded, least recently
 * used first out, idle entries expire (linkerd's `bindingCache.paths` and `idleTtlSecs`). An
 * entry keeps its binding observed, so namer and namerd changes reach it without per-request
 * work; dropping it releases the binding. Counted as linkerd's `bindcache/path/*`.
 */
import type { Activity, BoundLeaf, NameTree, Path } from '../../dtabs/index.js'
import { Lru } from '../../lib/lru.js'
import type { Counter, RouterStats, ServiceStats } from '../metrics/index.js'
import type { Interpreter } from '../model.js'
import { OVERRIDE_CACHE_CHARS, type LocalDtab } from './local-dtab.js'
import { DEFAULT_POLICY, ServiceRetries, type ServicePolicy } from './service-policy.js'

/** One cached name. */
export interface BindingEntry {
  readonly binding: Activity<NameTree<BoundLeaf>>
  /** The service's settings (timeout, classifier, retries). */
  readonly policy: ServicePolicy
  service: ServiceStats
  /** The service's retry budget and stats (shared by every entry of the name). */
  retries: ServiceRetries
}

export interface BindingsOptions {
  readonly interpreter: Interpreter
  readonly stats: RouterStats
  /** Most entries (default 1000) and their idle expiry (default 600 s). */
  readonly maxSize: number
  readonly idleTtlMs: number
  /** The settings of a logical name (absent: linkerd's defaults). */
  readonly policyFor?: (name: Path) => ServicePolicy
  /** Clock for idle expiry (default `Date.now`). */
  readonly now?: () => number
}

/** See the file header. `close()` releases every binding. */
export class Bindings {
  private readonly cache: Lru<string, CachedEntry>
  private readonly misses: Counter
  private readonly evicts: Counter
  private readonly expires: Counter
  private readonly retries = new WeakMap<ServiceStats, ServiceRetries>()
  private closed = false

  constructor(private readonly o: BindingsOptions) {
    this.misses = o.stats.counter('bindcache/path/misses')
    this.evicts = o.stats.counter('bindcache/path/evicts')
    this.expires = o.stats.counter('bindcache/path/expires')
    const dropped = (why: 'evict' | 'expire'): void => {
      if (!this.closed) (why === 'evict' ? this.evicts : this.expires).value++
    }
    const evicted = (_k: string, e: CachedEntry, why: 'evict' | 'expire'): void => {
      e.stop()
      dropped(why)
    }
    // Override text counts against OVERRIDE_CACHE_CHARS; names without an override weigh 0.
    const weight = {
      of: (_k: string, e: CachedEntry) => e.overrideChars,
      max: OVERRIDE_CACHE_CHARS,
    }
    this.cache = new Lru(o.maxSize, evicted, o.idleTtlMs, weight)
  }

  /**
   * The entry of `dst` (shown as `name`) under the request's local dtab, bound on first use. An
   * entry whose override is longer than `OVERRIDE_CACHE_CHARS` is dropped as soon as it is set
   * (its binding is then read afresh by the call that made it).
   */
  get(local: LocalDtab, dst: Path, name: string): BindingEntry {
    const key = local.shown === '' ? name : `${local.shown}\n${name}`
    const now = (this.o.now ?? Date.now)()
    let entry = this.cache.get(key, now)
    if (entry === undefined) {
      this.misses.value++
      const binding = this.o.interpreter.bind(local.dtab, dst)
      const stop = binding.subscribe(noop)
      const service = this.o.stats.service(name)
      const policy = this.o.policyFor?.(dst) ?? DEFAULT_POLICY
      const retries = this.retriesOf(service, policy)
      const overrideChars = local.shown.length
      entry = { binding, stop, service, policy, retries, overrideChars }
      this.cache.set(key, entry, now)
    } else if (entry.service.evicted) {
      entry.service = this.o.stats.service(name)
      entry.retries = this.retriesOf(entry.service, entry.policy)
    }
    return entry
  }

  private retriesOf(service: ServiceStats, policy: ServicePolicy): ServiceRetries {
    let r = this.retries.get(service)
    if (r === undefined) this.retries.set(service, (r = new ServiceRetries(service, policy)))
    return r
  }

  get size(): number {
    return this.cache.size
  }

  /** Drops idle entries (called by the router's sweep timer). */
  sweep(): void {
    this.cache.sweep((this.o.now ?? Date.now)())
  }

  close(): void {
    this.closed = true
    this.cache.clear()
  }
}

type CachedEntry = BindingEntry & { readonly stop: () => void; readonly overrideChars: number }

function noop(): void {}
