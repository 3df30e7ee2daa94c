/**
 * Failure accrual as a `Balancer` decorator: it keeps the whole address set and gives the inner
 * balancer only the endpoints that are available, so a dead one gets no traffic until its
 * backoff has passed and a probe (one request, or a TCP connect for failFast) succeeds. When no
 * endpoint is alive it gives the inner balancer all of them but those failFast holds down
 * ("panic": better to try the dead than to fail every request). States: health.ts. Each change
 * of state re-feeds the inner balancer (O(n), per change); a request on a healthy endpoint costs
 * a field read on acquire and a Map get and the policy's field writes on release, with no
 * allocation and no timer.
 */
import type { Log } from '../../lib/log.js'
import type { Backoff } from '../backoffs/index.js'
import { endpointKey, type Addresses } from '../balancers/endpoints.js'
import type { Scope } from '../metrics/index.js'
import type { Balancer, Endpoint } from '../model.js'
import { AccrualEvents } from './accrual-events.js'
import { Health, healthView, type ClientHealth } from './health.js'
import type { FailureAccrual } from './index.js'

/** failFast: how a down endpoint is probed (a TCP connect) and how often. */
export interface FailFast {
  /** Resolves true when a TCP connection to `host`:`port` could be made (then closed). */
  readonly connect: (host: string, port: number) => Promise<boolean>
  readonly backoff: Backoff
}

export interface AccrualOptions {
  readonly accrual: FailureAccrual
  /** Absent: failFast off. */
  readonly failFast?: FailFast | undefined
  /** The client's id, for log lines. */
  readonly id: string
  readonly log: Log
  /** Wall clock in ms (default `Date.now`). */
  readonly now?: () => number
  readonly random?: () => number
  /** Runs `fn` after `ms` and returns its cancel (default: an unref'd setTimeout). */
  readonly schedule?: (fn: () => void, ms: number) => () => void
}

function timeout(fn: () => void, ms: number): () => void {
  const t = setTimeout(fn, ms).unref()
  return () => clearTimeout(t)
}

/** See the file header. `close()` cancels every probe timer. */
export class AccrualBalancer implements Balancer {
  private readonly byKey = new Map<string, Health>()
  private order: Health[] = []
  /** Endpoints in `open` state: while 0, `acquire` looks at nothing but the inner pick. */
  private open = 0
  private available = 0
  private panicking = false
  /** Every endpoint, when some are out of the inner balancer; else the inner's list is it. */
  private list: readonly Endpoint[] | undefined
  private readonly now: () => number
  private readonly schedule: (fn: () => void, ms: number) => () => void
  private closed = false
  private readonly events: AccrualEvents

  constructor(
    private readonly inner: Balancer,
    private readonly o: AccrualOptions,
  ) {
    this.now = o.now ?? Date.now
    this.schedule = o.schedule ?? timeout
    this.events = new AccrualEvents(o.id, o.log)
  }

  get endpoints(): readonly Endpoint[] {
    return this.list ?? this.inner.endpoints
  }

  /** Registers its metrics on the client's `scope` (again when the client's stats change). */
  attach(scope: Scope): void {
    this.events.attach(scope, () => this.available)
  }

  update(addrs: Addresses): void {
    const next: Health[] = []
    const kept = new Map<string, Health>()
    for (const addr of addrs) {
      const key = endpointKey(addr.host, addr.port)
      if (kept.has(key)) continue
      let h = this.byKey.get(key)
      if (h === undefined) h = new Health(key, addr, this.o.accrual.policy?.(this.now))
      h.addr = addr
      kept.set(key, h)
      next.push(h)
    }
    for (const [key, h] of this.byKey) if (!kept.has(key)) h.stopTimer()
    this.byKey.clear()
    for (const [key, h] of kept) this.byKey.set(key, h)
    this.order = next
    this.rebuild()
  }

  acquire(avoid?: Endpoint): Endpoint | undefined {
    const e = this.inner.acquire(avoid)
    if (this.open === 0 || e === undefined) return e
    const h = this.byKey.get(e.key)
    if (h?.state === 'open') {
      h.state = 'probing'
      this.events.probed()
      this.rebuild()
    }
    return e
  }

  release(endpoint: Endpoint, latencyMs: number, ok: boolean | undefined): void {
    this.inner.release(endpoint, latencyMs, ok)
    const h = this.byKey.get(endpoint.key)
    if (h === undefined) return
    if (ok === undefined) {
      // The client went away first: nothing learnt. A probe cut short is owed another one.
      if (h.state === 'probing') {
        h.state = 'open'
        this.rebuild()
      }
      return
    }
    if (ok) {
      h.failures = 0
      if (h.state === 'alive') h.policy?.record(true)
      else if (!h.byConnect) this.revive(h)
      return
    }
    h.failures++
    if (h.state === 'alive') {
      if (h.policy?.record(false) === true) this.markDead(h, h.policy.reason())
    } else if (h.state === 'probing') this.markDead(h, 'the probe failed')
  }

  /** failFast: `endpoint` refused a connection; it is down until a TCP connect succeeds. */
  failedToConnect(endpoint: Endpoint): void {
    const h = this.byKey.get(endpoint.key)
    if (h === undefined || this.o.failFast === undefined || h.byConnect) return
    h.byConnect = true
    if (h.state !== 'dead') this.markDead(h, 'a connection failed (failFast)')
  }

  /** Every endpoint's health, for the admin page. */
  health(): ClientHealth {
    return healthView(this.order, this.panicking)
  }

  close(): void {
    this.closed = true
    for (const h of this.order) h.stopTimer()
  }

  private markDead(h: Health, reason: string): void {
    const fresh = h.state === 'alive'
    h.stopTimer()
    h.state = 'dead'
    const { failFast, accrual } = this.o
    const backoff = h.byConnect && failFast !== undefined ? failFast.backoff : accrual.backoff
    h.delays ??= backoff(this.o.random)
    const ms = h.delays()
    if (fresh) h.since = this.now()
    h.until = this.now() + ms
    h.cancel = this.schedule(() => this.wake(h), ms)
    this.events.markedDead(h.key, reason, ms, fresh)
    this.rebuild()
  }

  /** Its backoff is over: open it to one request, or try a TCP connect (failFast). */
  private wake(h: Health): void {
    h.cancel = undefined
    if (this.closed || this.byKey.get(h.key) !== h || h.state !== 'dead') return
    const failFast = this.o.failFast
    if (!h.byConnect || failFast === undefined) {
      h.state = 'open'
      this.rebuild()
      return
    }
    this.events.probed()
    void failFast.connect(h.addr.host, h.addr.port).then((connected) => {
      if (this.closed || this.byKey.get(h.key) !== h || h.state !== 'dead') return
      if (connected) this.revive(h)
      else this.markDead(h, 'the connect probe failed (failFast)')
    })
  }

  private revive(h: Health): void {
    h.stopTimer()
    h.state = 'alive'
    h.byConnect = false
    h.delays = undefined
    h.failures = 0
    h.policy?.reset()
    this.events.revived(h.key, this.now() - h.since)
    this.rebuild()
  }

  /** Re-feeds the inner balancer after a change of state or of the address set. */
  private rebuild(): void {
    const usable: Addresses[number][] = []
    let alive = 0
    let open = 0
    for (const h of this.order) {
      if (h.state === 'alive') alive++
      else if (h.state === 'open') open++
      else continue
      usable.push(h.addr)
    }
    this.open = open
    this.available = alive + open
    this.setPanic(alive === 0 && this.order.length > 0)
    // In panic every endpoint but those failFast holds down (a connect is known to fail: with
    // none left the request fails at once, as Finagle's fail-fast does).
    const panicSet = (): Addresses =>
      this.order.filter((h) => !(h.state === 'dead' && h.byConnect)).map((h) => h.addr)
    this.inner.update(this.panicking ? panicSet() : usable)
    for (const e of this.inner.endpoints) {
      const h = this.byKey.get(e.key)
      if (h !== undefined) h.endpoint = e
    }
    const complete = this.inner.endpoints.length === this.order.length
    this.list = complete ? undefined : this.order.map((h) => h.endpoint as Endpoint)
  }

  private setPanic(panic: boolean): void {
    if (panic === this.panicking) return
    this.panicking = panic
    this.events.panic(panic, this.order.length)
  }
}
