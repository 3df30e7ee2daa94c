/**
 * Clients: one per bound id (`/#/io.l5d.fs/users-v1`), each a load balancer following that id's
 * address set, with its stats and its `requestAttemptTimeoutMs`. Cached like bindings (bounded,
 * idle ones expire; linkerd's `bindingCache.clients`), counted as `bindcache/client/*`.
 */
import { showPath, type Addr, type Bound, type Path } from '../../dtabs/index.js'
import { Lru } from '../../lib/lru.js'
import type { ClientStats, Counter, RouterStats } from '../metrics/index.js'
import type { Balancer, BalancerFactory, Endpoint } from '../model.js'
import { DEFAULT_BUDGET, RetryBudget, type BudgetConfig } from './retry-budget.js'

/**
 * The client of one bound id. A `neg` address set empties its balancer; `pending` and `failed`
 * keep the last endpoints (a discovery outage must not drop traffic). `close()` stops following.
 */
export class UpstreamClient {
  readonly id: string
  /** The bound id itself (the connector looks up the client's connection settings by it). */
  readonly boundId: Path
  readonly balancer: Balancer
  addr: Addr
  /** The requeue budget and its stats (made again with the stats when they are replaced). */
  requeues: Requeues
  private readonly unsubscribe: () => void

  constructor(
    bound: Bound,
    makeBalancer: BalancerFactory,
    public stats: ClientStats,
    /** `requestAttemptTimeoutMs` for this client, if configured. */
    readonly attemptTimeoutMs?: number,
    /** `requeueBudget` (absent: linkerd's default). */
    readonly requeueBudget: BudgetConfig = DEFAULT_BUDGET,
  ) {
    this.id = showPath(bound.id)
    this.boundId = bound.id
    this.requeues = new Requeues(stats, requeueBudget)
    this.balancer = makeBalancer()
    this.addr = bound.addr.get()
    this.apply(this.addr)
    this.unsubscribe = bound.addr.subscribe((a) => this.apply(a))
  }

  private apply(addr: Addr): void {
    this.addr = addr
    if (addr.type === 'bound') this.balancer.update(addr.addrs)
    else if (addr.type === 'neg') this.balancer.update([])
  }

  /**
   * The request could not connect to `endpoint` (nothing was sent). Told in addition to the
   * balancer's `release`, for `failFast` (no effect yet).
   */
  failedToConnect(endpoint: Endpoint): void {
    void endpoint
  }

  close(): void {
    this.unsubscribe()
  }
}

export interface ClientsOptions {
  readonly stats: RouterStats
  readonly maxSize: number
  readonly idleTtlMs: number
  /** The balancer factory and attempt timeout of a bound id (the `client` configs). */
  readonly balancerFor: (id: Path) => BalancerFactory
  readonly attemptTimeoutFor?: (id: Path) => number | undefined
  readonly requeueBudgetFor?: (id: Path) => BudgetConfig | undefined
}

/** A client's requeue budget and its stats (`retries/requeues`, `retries/budget_exhausted`). */
export class Requeues {
  readonly budget: RetryBudget
  readonly total: Counter
  readonly budgetExhausted: Counter

  constructor(stats: ClientStats, config: BudgetConfig) {
    this.budget = new RetryBudget(config)
    this.total = stats.counter('retries/requeues')
    this.budgetExhausted = stats.counter('retries/budget_exhausted')
  }
}

/** See the file header. `close()` stops every client following its addresses. */
export class Clients {
  private readonly cache: Lru<string, UpstreamClient>
  /** Each bound id's show form, computed once per Bound object. */
  private readonly keys = new WeakMap<Bound, string>()
  private readonly misses: Counter
  private closed = false

  constructor(private readonly o: ClientsOptions) {
    this.misses = o.stats.counter('bindcache/client/misses')
    const evicts = o.stats.counter('bindcache/client/evicts')
    const expires = o.stats.counter('bindcache/client/expires')
    // A client gone from the cache takes its stats with it (linkerd prunes a closed client's).
    const dropped = (key: string, c: UpstreamClient, why: 'evict' | 'expire'): void => {
      c.close()
      if (this.closed) return
      o.stats.dropClient(key)
      ;(why === 'evict' ? evicts : expires).value++
    }
    this.cache = new Lru(o.maxSize, dropped, o.idleTtlMs)
  }

  /** The client of `bound`'s id, made on first use. */
  get(bound: Bound): UpstreamClient {
    let key = this.keys.get(bound)
    if (key === undefined) {
      key = showPath(bound.id)
      this.keys.set(bound, key)
    }
    let client = this.cache.get(key)
    if (client === undefined) {
      this.misses.value++
      const { stats, balancerFor, attemptTimeoutFor, requeueBudgetFor } = this.o
      client = new UpstreamClient(
        bound,
        balancerFor(bound.id),
        stats.client(key),
        attemptTimeoutFor?.(bound.id),
        requeueBudgetFor?.(bound.id),
      )
      this.cache.set(key, client)
    } else if (client.stats.evicted) {
      client.stats = this.o.stats.client(key)
      client.requeues = new Requeues(client.stats, client.requeueBudget)
    }
    return client
  }

  /** The ids of the clients made so far (admin `/bound-names.json`). */
  ids(): string[] {
    return this.cache.values().map((c) => c.id)
  }

  sweep(): void {
    this.cache.sweep()
  }

  close(): void {
    this.closed = true
    this.cache.clear()
  }
}
