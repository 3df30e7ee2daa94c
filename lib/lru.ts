/**
 * A bounded map that forgets the least recently used entry when full, and entries unused for
 * longer than `idleMs` when `sweep()` runs. `onEvict` is told of every entry it drops (to close
 * what the entry holds). Get and set are O(1) (a Map re-ordered on access). With `weight`, the
 * entries' weights (their size, say) are bounded too: the oldest entries that weigh something go
 * until the sum fits (weightless ones stay); an entry heavier than the bound alone is dropped as
 * soon as it is set.
 */
export class Lru<K, V> {
  private readonly map = new Map<K, { value: V; used: number; weight: number }>()
  private weights = 0

  constructor(
    private readonly capacity: number,
    private readonly onEvict: (key: K, value: V, why: 'evict' | 'expire') => void = () => undefined,
    private readonly idleMs = Infinity,
    private readonly weight?: { readonly of: (key: K, value: V) => number; readonly max: number },
  ) {}

  get(key: K, now = Date.now()): V | undefined {
    const entry = this.map.get(key)
    if (entry === undefined) return undefined
    if (now - entry.used > 1000) {
      // Re-order at most once a second per entry: the hot path stays a single Map lookup.
      this.map.delete(key)
      this.map.set(key, entry)
      entry.used = now
    }
    return entry.value
  }

  set(key: K, value: V, now = Date.now()): void {
    const old = this.map.get(key)
    if (old !== undefined) {
      this.remove(key, old)
      if (old.value !== value) this.onEvict(key, old.value, 'evict')
    }
    const weight = this.weight?.of(key, value) ?? 0
    const maxWeight = this.weight?.max ?? Infinity
    // Heavier than the bound alone: dropped at once, and the others stay.
    if (weight > maxWeight) return this.onEvict(key, value, 'evict')
    this.map.set(key, { value, used: now, weight })
    this.weights += weight
    while (this.map.size > this.capacity) {
      const [k, e] = this.map.entries().next().value as [K, { value: V; weight: number }]
      this.remove(k, e)
      this.onEvict(k, e.value, 'evict')
    }
    if (this.weights > maxWeight) this.lighten(maxWeight)
  }

  /** Drops the oldest entries that weigh something until the weights fit. */
  private lighten(max: number): void {
    for (const [k, e] of this.map) {
      if (this.weights <= max) return
      if (e.weight === 0) continue
      this.remove(k, e)
      this.onEvict(k, e.value, 'evict')
    }
  }

  private remove(key: K, entry: { weight: number }): void {
    this.map.delete(key)
    this.weights -= entry.weight
  }

  /** Drops entries idle for longer than `idleMs`. Oldest-first order makes this stop early. */
  sweep(now = Date.now()): void {
    for (const [k, e] of this.map) {
      if (now - e.used <= this.idleMs) break
      this.remove(k, e)
      this.onEvict(k, e.value, 'expire')
    }
  }

  /** Drops everything (each entry reported as evicted). */
  clear(): void {
    for (const [k, e] of this.map) this.onEvict(k, e.value, 'evict')
    this.map.clear()
    this.weights = 0
  }

  get size(): number {
    return this.map.size
  }

  /** The entries, least recently used first (a copy; reading it does not count as a use). */
  entries(): [K, V][] {
    return [...this.map].map(([k, e]) => [k, e.value])
  }

  /** The values, least recently used first (a copy: safe to close them while iterating). */
  values(): V[] {
    return [...this.map.values()].map((e) => e.value)
  }
}
