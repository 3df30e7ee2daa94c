/**
 * Weighted random positions in O(1), for the two-choice balancers: Walker's alias method with
 * Vose's table construction, as Finagle's `Drv`. Positions are sorted by weight, so a weight
 * class (endpoints of equal weight, Finagle `TrafficDistributor`'s unit) is a run of positions.
 */

/** Probability and alias columns of an alias table. */
export interface AliasTable {
  readonly prob: Float64Array
  readonly alias: Uint32Array
}

/** Vose's O(n) construction over positive `weights` (they need not sum to 1). */
export function aliasTable(weights: readonly number[]): AliasTable {
  const n = weights.length
  const prob = new Float64Array(n).fill(1)
  const alias = new Uint32Array(n)
  let sum = 0
  for (const w of weights) sum += w
  const scaled = Float64Array.from(weights, (w) => (w * n) / sum)
  const small = new Uint32Array(n)
  const large = new Uint32Array(n)
  let ns = 0
  let nl = 0
  scaled.forEach((p, i) => {
    alias[i] = i
    if (p < 1) small[ns++] = i
    else large[nl++] = i
  })
  while (ns > 0 && nl > 0) {
    const s = small[--ns] ?? 0
    const l = large[--nl] ?? 0
    const ps = scaled[s] ?? 0
    prob[s] = ps
    alias[s] = l
    // p(l) - (1 - p(s)), written so that it loses less precision (as Vose suggests).
    const pl = (scaled[l] = (scaled[l] ?? 0) + ps - 1)
    if (pl < 1) small[ns++] = l
    else large[nl++] = l
  }
  // Whatever is left is 1 up to rounding: it keeps prob 1 from the fill.
  return { prob, alias }
}

/**
 * The drawable endpoints of one balancer. With any positive weight, zero-weight endpoints are
 * left out; with none, every endpoint is drawn with weight 1 (Finagle `Drv.fromWeights`).
 */
export class WeightedIndex<E extends { readonly weight: number }> {
  /** The drawable endpoints by position, in ascending weight (stable). */
  entries: readonly E[] = []
  /** 1 / the weight each position is drawn with. */
  scale: Float64Array = new Float64Array(0)
  /** Each position's weight class is the positions [classLo, classHi). */
  classLo: Uint32Array = new Uint32Array(0)
  classHi: Uint32Array = new Uint32Array(0)
  private prob: Float64Array = new Float64Array(0)
  private alias: Uint32Array = new Uint32Array(0)

  get size(): number {
    return this.entries.length
  }

  rebuild(endpoints: readonly E[]): void {
    const positive = endpoints.filter((e) => e.weight > 0)
    const uniform = positive.length === 0
    const entries = (uniform ? [...endpoints] : positive).sort((x, y) => x.weight - y.weight)
    const weights = entries.map((e) => (uniform ? 1 : e.weight))
    this.entries = entries
    this.scale = Float64Array.from(weights, (w) => 1 / w)
    const table = aliasTable(weights)
    this.prob = table.prob
    this.alias = table.alias
    this.classLo = new Uint32Array(weights.length)
    this.classHi = new Uint32Array(weights.length)
    let start = 0
    for (let i = 1; i <= weights.length; i++) {
      if (i < weights.length && weights[i] === weights[start]) continue
      this.classLo.fill(start, start, i)
      this.classHi.fill(i, start, i)
      start = i
    }
  }

  /** A position drawn with probability weight / total, from one call of `random`. */
  draw(random: () => number): number {
    const n = this.entries.length
    const x = random() * n
    const i = x < n ? Math.floor(x) : n - 1
    return x - i < (this.prob[i] ?? 1) ? i : (this.alias[i] ?? i)
  }

  /**
   * A position in [lo, hi) other than `p` (which must lie in it, with hi - lo ≥ 2), uniformly:
   * Finagle `P2CPick`'s "hole" — draw from one fewer and step over `p`.
   */
  other(random: () => number, p: number, lo: number, hi: number): number {
    const m = hi - lo - 1
    const k = Math.floor(random() * m)
    const q = lo + (k < m ? k : m - 1)
    return q >= p ? q + 1 : q
  }
}
