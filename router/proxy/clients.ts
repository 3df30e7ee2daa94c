import { showPath, type Addr, type Bound } from '../../dtabs/index.js'
import { Lru } from '../../lib/lru.js'
import type { Balancer, BalancerFactory, Endpoint } from '../model.js'
import { H1Pool } from './h1/pool.js'

/**
 * The client of one bound id (`/#/io.l5d.fs/users-v1`): a load balancer that follows the bound
 * name's address set. A `neg` set empties it; `pending` and `failed` keep the last endpoints
 * (a discovery outage must not drop traffic). `close()` stops following.
 */
export class UpstreamClient {
  readonly id: string
  readonly balancer: Balancer
  addr: Addr
  private readonly unsubscribe: () => void

  constructor(
    bound: Bound,
    makeBalancer: BalancerFactory,
    /** `requestAttemptTimeoutMs` for this client, if configured. */
    readonly attemptTimeoutMs?: number,
  ) {
    this.id = showPath(bound.id)
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

  close(): void {
    this.unsubscribe()
  }
}

/** Keep-alive connection pools, one per endpoint, shared by every client that uses it. */
export class Pools {
  private readonly pools: Lru<string, H1Pool>

  constructor(
    private readonly options: {
      idleTimeMs?: number
      capacity?: number
    } = {},
  ) {
    this.pools = new Lru(
      options.capacity ?? 10_000,
      (_key, pool) => void pool.close().catch(() => undefined),
    )
  }

  get(e: Endpoint): H1Pool {
    let pool = this.pools.get(e.key)
    if (pool === undefined) {
      pool = new H1Pool(e.host, e.port, { idleTimeMs: this.options.idleTimeMs ?? 60_000 })
      this.pools.set(e.key, pool)
    }
    return pool
  }

  /** Closes every pool, letting requests in flight finish. */
  async close(): Promise<void> {
    const all = this.pools.values()
    await Promise.all(all.map((p) => p.close().catch(() => undefined)))
  }
}
