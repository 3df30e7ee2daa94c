/**
 * A bounded map that forgets the least recently used entry when full, and entries unused for
 * longer than `idleMs` when `sweep()` runs. `onEvict` is told of every entry it drops (to close
 * what the entry holds). Get and set are O(1) (a Map re-ordered on access).
 */
export class Lru<K, V> {
  private readonly map = new Map<K, { value: V; used: number }>()

  constructor(
    private readonly capacity: number,
    private readonly onEvict: (key: K, value: V, why: 'evict' | 'expire') => void = () => undefined,
    private readonly idleMs = Infinity,
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
    if (old !== undefined) this.map.delete(key)
    this.map.set(key, { value, used: now })
    if (old !== undefined && old.value !== value) this.onEvict(key, old.value, 'evict')
    while (this.map.size > this.capacity) {
      const [k, e] = this.map.entries().next().value as [K, { value: V }]
      this.map.delete(k)
      this.onEvict(k, e.value, 'evict')
    }
  }

  /** Drops entries idle for longer than `idleMs`. Oldest-first order makes this stop early. */
  sweep(now = Date.now()): void {
    for (const [k, e] of this.map) {
      if (now - e.used <= this.idleMs) break
      this.map.delete(k)
      this.onEvict(k, e.value, 'expire')
    }
  }

  /** Drops everything (each entry reported as evicted). */
  clear(): void {
    for (const [k, e] of this.map) this.onEvict(k, e.value, 'evict')
    this.map.clear()
  }

  get size(): number {
    return this.map.size
  }

  /** The values, least recently used first (a copy: safe to close them while iterating). */
  values(): V[] {
    return [...this.map.values()].map((e) => e.value)
  }
}
