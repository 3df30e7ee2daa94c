/**
 * The stat objects the data path holds and bumps (see metrics.ts): plain number fields and
 * O(1) methods, no allocation per request. Exported through metrics.ts.
 */
import { Histogram } from './histogram.js'
import type { Entry } from './entry.js'

/** A counter the data path bumps in place: `c.value++`. */
export class Counter {
  value = 0
}

type Extra =
  | { readonly kind: 'counter'; readonly counter: Counter }
  | { readonly kind: 'gauge'; read: () => number }
  | { readonly kind: 'stat'; readonly histogram: Histogram }

/**
 * A node of the metric tree that can carry more metrics than its fixed fields, for the parts of
 * the router that own them: `client.gauge('loadbalancer/size', () => lb.endpoints.length)`,
 * `service.counter('retries/total')`, `router.counter('bindcache/path/misses')`. Names are
 * paths below this scope, `/`-separated (or given as segments); get-or-create; a gauge's `read`
 * runs at scrape time and must be cheap (a throw leaves the gauge out of that scrape).
 */
export class Scope {
  private extras: Map<string, { path: readonly string[]; extra: Extra }> | undefined

  counter(name: string | readonly string[]): Counter {
    const e = this.extra(name, () => ({ kind: 'counter', counter: new Counter() }))
    if (e.kind !== 'counter') throw new TypeError(`${String(name)} is a ${e.kind}, not a counter`)
    return e.counter
  }

  gauge(name: string | readonly string[], read: () => number): void {
    const e = this.extra(name, () => ({ kind: 'gauge', read }))
    if (e.kind !== 'gauge') throw new TypeError(`${String(name)} is a ${e.kind}, not a gauge`)
    e.read = read
  }

  stat(name: string | readonly string[]): Histogram {
    const e = this.extra(name, () => ({ kind: 'stat', histogram: new Histogram() }))
    if (e.kind !== 'stat') throw new TypeError(`${String(name)} is a ${e.kind}, not a stat`)
    return e.histogram
  }

  private extra(name: string | readonly string[], make: () => Extra): Extra {
    const path = typeof name === 'string' ? name.split('/').filter((s) => s !== '') : name
    const key = path.join('\0')
    this.extras ??= new Map()
    let found = this.extras.get(key)
    if (found === undefined) {
      found = { path, extra: make() }
      this.extras.set(key, found)
    }
    return found.extra
  }

  /** Every histogram of this scope (snapshotting). */
  protected histograms(visit: (h: Histogram) => void): void {
    for (const { extra } of this.extras?.values() ?? []) {
      if (extra.kind === 'stat') visit(extra.histogram)
    }
  }

  /** Appends this scope's metrics under `at`. */
  protected collect(at: readonly string[], out: Entry[]): void {
    for (const { path, extra } of this.extras?.values() ?? []) {
      const p = [...at, ...path]
      switch (extra.kind) {
        case 'counter':
          out.push({ path: p, kind: 'counter', value: extra.counter.value })
          break
        case 'stat':
          out.push({ path: p, kind: 'stat', summary: extra.histogram.last })
          break
        case 'gauge':
          try {
            out.push({ path: p, kind: 'gauge', value: extra.read() })
          } catch {
            // a failing gauge is left out of this scrape, as finagle does
          }
      }
    }
  }
}

const MAX_EXCEPTIONS = 64

/**
 * finagle's `StatsFilter` numbers, common to servers, services and clients. The data path bumps
 * `requests`, `success` and `pending` directly and calls `fail(name)` on a failure.
 */
export class RequestStats extends Scope {
  requests = 0
  success = 0
  failures = 0
  /** Requests in flight (a gauge): ++ when one starts, -- when it ends. */
  pending = 0
  /** `request_latency_ms` (with `cumulativeLatency`, cumulative buckets kept too). */
  readonly latency: Histogram
  /** Failures by exception name (`failures/<name>`), made on the first failure. */
  private exceptions: Map<string, number> | undefined
  /** Set when the registry dropped this object: a holder should look it up again. */
  evicted = false
  /** Sweep bookkeeping: `requests` and the time when last seen moving. */
  seenRequests = 0
  seenAt = 0

  constructor(cumulativeLatency = false) {
    super()
    this.latency = new Histogram({ cumulative: cumulativeLatency })
  }

  /**
   * Counts a failure, and under `exception` (an error code or class name: a bounded set; past
   * 64 names, failures go under `other`).
   */
  fail(exception?: string): void {
    this.failures++
    if (exception === undefined) return
    const m = (this.exceptions ??= new Map())
    const key = m.has(exception) || m.size < MAX_EXCEPTIONS ? exception : 'other'
    m.set(key, (m.get(key) ?? 0) + 1)
  }

  protected override histograms(visit: (h: Histogram) => void): void {
    visit(this.latency)
    super.histograms(visit)
  }

  protected override collect(at: readonly string[], out: Entry[]): void {
    out.push({ path: [...at, 'requests'], kind: 'counter', value: this.requests })
    out.push({ path: [...at, 'success'], kind: 'counter', value: this.success })
    out.push({ path: [...at, 'failures'], kind: 'counter', value: this.failures })
    for (const [name, n] of this.exceptions ?? []) {
      out.push({ path: [...at, 'failures', name], kind: 'counter', value: n })
    }
    out.push({ path: [...at, 'pending'], kind: 'gauge', value: this.pending })
    const cumulative = this.latency.cumulativeBuckets()
    const path = [...at, 'request_latency_ms']
    const summary = this.latency.last
    out.push(
      cumulative === undefined
        ? { path, kind: 'stat', summary }
        : { path, kind: 'stat', summary, cumulative },
    )
    super.collect(at, out)
  }

  /** @internal for the registry */
  visitHistograms(visit: (h: Histogram) => void): void {
    this.histograms(visit)
  }

  /** @internal for the registry */
  collectAt(at: readonly string[], out: Entry[]): void {
    this.collect(at, out)
  }
}

/** Request stats plus HTTP status counters (`status/200`, `status/2XX`). */
export class HttpStats extends RequestStats {
  private readonly codes: number[] = []
  private readonly codeCounts: number[] = []
  private readonly classes = [0, 0, 0, 0, 0, 0]

  /**
   * Counts a response status under its code and its class. Codes other than integers in
   * [100, 599] are ignored. A linear scan of the codes seen so far (usually one to five).
   */
  status(code: number): void {
    if (!(code >= 100 && code < 600) || code % 1 !== 0) return
    ;(this.classes[(code / 100) | 0] as number)++
    const codes = this.codes
    for (let i = 0; i < codes.length; i++) {
      if (codes[i] === code) {
        ;(this.codeCounts[i] as number)++
        return
      }
    }
    codes.push(code)
    this.codeCounts.push(1)
  }

  protected override collect(at: readonly string[], out: Entry[]): void {
    super.collect(at, out)
    const order = this.codes.map((code, i) => [code, this.codeCounts[i] ?? 0] as const)
    for (const [code, n] of order.sort((a, b) => a[0] - b[0])) {
      out.push({ path: [...at, 'status', String(code)], kind: 'counter', value: n })
    }
    this.classes.forEach((n, c) => {
      if (n > 0) out.push({ path: [...at, 'status', `${c}XX`], kind: 'counter', value: n })
    })
  }
}

/**
 * One listening server (`rt/<r>/server/<ip>/<port>`); cumulative latency buckets as a client's
 * (the dashboard's router figures).
 */
export class ServerStats extends HttpStats {
  /** Open connections (a gauge). */
  connections = 0

  constructor() {
    super(true)
  }

  protected override collect(at: readonly string[], out: Entry[]): void {
    super.collect(at, out)
    out.push({ path: [...at, 'connections'], kind: 'gauge', value: this.connections })
  }
}

/** One logical name (`rt/<r>/service/svc/foo`); cumulative latency buckets as a client's. */
export class ServiceStats extends RequestStats {
  constructor() {
    super(true)
  }
}

/**
 * One bound id, i.e. one client (`rt/<r>/client/#/io.l5d.fs/foo`). Its latency histogram also
 * keeps cumulative buckets (what a canary's figures and the dashboard subtract:
 * docs/canary-figures.md); about 1.7 KB per client once it has a snapshot with values, no work
 * per request. Servers and services keep them too.
 */
export class ClientStats extends HttpStats {
  constructor() {
    super(true)
  }
}
