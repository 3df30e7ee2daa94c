/**
 * Clients: one per bound id (`/#/io.l5d.fs/users-v1`), each a load balancer following that id's
 * address set, with its stats and its `requestAttemptTimeoutMs`. Cached like bindings (bounded,
 * idle ones expire; linkerd's `bindingCache.clients`), counted as `bindcache/client/*`.
 */
import { showPath, type Addr, type Bound, type Path } from '../../dtabs/index.js'
import { nullLog } from '../../lib/log.js'
import { Lru } from '../../lib/lru.js'
import {
  AccrualBalancer,
  healthOptions,
  type ClientHealth,
  type ClientHealthConfig,
  type HealthDeps,
  type HealthOptions,
} from '../accrual/index.js'
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
  /** The balancer itself when health is watched (absent: nothing is ever marked dead). */
  private readonly accrual: AccrualBalancer | undefined

  constructor(
    bound: Bound,
    makeBalancer: BalancerFactory,
    public stats: ClientStats,
    /** `requestAttemptTimeoutMs` for this client, if configured. */
    readonly attemptTimeoutMs?: number,
    health?: HealthOptions,
    /** `requeueBudget` (absent: linkerd's default). */
    readonly requeueBudget: BudgetConfig = DEFAULT_BUDGET,
  ) {
    this.id = showPath(bound.id)
    this.boundId = bound.id
    const inner = makeBalancer()
    this.accrual = health && new AccrualBalancer(inner, { ...health, id: this.id })
    this.balancer = this.accrual ?? inner
    this.requeues = new Requeues(stats, requeueBudget)
    this.useStats(stats)
    this.addr = bound.addr.get()
    this.apply(this.addr)
    this.unsubscribe = bound.addr.subscribe((a) => this.apply(a))
  }

  private apply(addr: Addr): void {
    this.addr = addr
    if (addr.type === 'bound') this.balancer.update(addr.addrs)
    else if (addr.type === 'neg') this.balancer.update([])
  }

  /** Takes `stats` as the client's stats (they replace evicted ones) and registers its gauges. */
  useStats(stats: ClientStats): void {
    this.stats = stats
    if (stats !== this.requeues.stats) this.requeues = new Requeues(stats, this.requeueBudget)
    const { balancer, accrual } = this
    stats.gauge('loadbalancer/size', () => balancer.endpoints.length)
    if (accrual === undefined)
      stats.gauge('loadbalancer/available', () => balancer.endpoints.length)
    else accrual.attach(stats)
  }

  /**
   * The request could not connect to `endpoint` (nothing was sent). Told in addition to the
   * balancer's `release`; with `failFast`, the endpoint is down until a TCP connect succeeds.
   */
  failedToConnect(endpoint: Endpoint): void {
    this.accrual?.failedToConnect(endpoint)
  }

  /** Its endpoints' health (admin `/client_state.json`). */
  health(): ClientHealth {
    if (this.accrual !== undefined) return this.accrual.health()
    const endpoints = this.balancer.endpoints
    return {
      panic: false,
      endpoints: endpoints.map((e) => ({
        endpoint: e.key,
        state: 'alive',
        failures: 0,
        weight: e.weight,
        load: e.pending,
      })),
    }
  }

  /** Stops following the address set and cancels probe timers. */
  close(): void {
    this.unsubscribe()
    this.accrual?.close()
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
  /** A bound id's failure accrual and failFast; absent: no health watching (tests). */
  readonly healthFor?: (id: Path) => ClientHealthConfig
  /** failFast's probe and backoff, and where endpoints marked dead and revived are logged. */
  readonly health?: HealthDeps
}

/** A client's requeue budget and its stats (`retries/requeues`, `retries/budget_exhausted`). */
export class Requeues {
  readonly budget: RetryBudget
  readonly total: Counter
  readonly budgetExhausted: Counter

  constructor(
    readonly stats: ClientStats,
    config: BudgetConfig,
  ) {
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
      const { healthFor, health = { log: nullLog } } = this.o
      client = new UpstreamClient(
        bound,
        balancerFor(bound.id),
        stats.client(key),
        attemptTimeoutFor?.(bound.id),
        healthFor && healthOptions(healthFor(bound.id), health),
        requeueBudgetFor?.(bound.id),
      )
      this.cache.set(key, client)
    } else if (client.stats.evicted) {
      client.useStats(this.o.stats.client(key))
    }
    return client
  }

  /** Every client's endpoint health, by client id (admin `/client_state.json`). */
  health(): Record<string, ClientHealth> {
    return Object.fromEntries(this.cache.values().map((c) => [c.id, c.health()]))
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
