import { createRequire } from 'node:module'
import type { Pool as PoolType } from 'undici'
import { showPath, type Addr, type Bound } from '../../dtabs/index.js'
import { Lru } from '../../lib/lru.js'
import type { Balancer, BalancerFactory, Endpoint } from '../model.js'

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

// undici's Pool module alone: importing the package entry also loads fetch, websockets and
// caches that the data path never uses, about 10 MiB of resident memory (measured).
const Pool = createRequire(import.meta.url)('undici/lib/dispatcher/pool.js') as typeof PoolType
type Pool = PoolType

/** Keep-alive connection pools, one per endpoint, shared by every client that uses it. */
export class Pools {
  private readonly pools: Lru<string, Pool>

  constructor(
    private readonly options: {
      maxConnections?: number
      idleTimeMs?: number
      capacity?: number
    } = {},
  ) {
    this.pools = new Lru(
      options.capacity ?? 10_000,
      (_key, pool) => void pool.close().catch(() => undefined),
    )
  }

  get(e: Endpoint): Pool {
    let pool = this.pools.get(e.key)
    if (pool === undefined) {
      pool = new Pool(`http://${e.key}`, {
        connections: this.options.maxConnections ?? null,
        pipelining: 1,
        keepAliveTimeout: this.options.idleTimeMs ?? 60_000,
        keepAliveMaxTimeout: this.options.idleTimeMs ?? 600_000,
        headersTimeout: 0,
        bodyTimeout: 0,
      })
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
