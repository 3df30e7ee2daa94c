/**
 * The HTTP/1.1 connector: keep-alive connection pools, one per endpoint, shared by every client
 * that sends to it; bounded (least recently used pools close first).
 */
import { Lru } from '../../lib/lru.js'
import type { Connector } from '../core/handler.js'
import type { Endpoint } from '../model.js'
import { H1Pool } from './pool.js'

export interface PoolsOptions {
  /** Longest an idle connection is kept (default 60 s). */
  readonly idleTimeMs?: number
  /** Most endpoints with a pool (default 10,000). */
  readonly capacity?: number
}

export class Pools implements Connector {
  private readonly pools: Lru<string, H1Pool>

  constructor(private readonly options: PoolsOptions = {}) {
    this.pools = new Lru(
      options.capacity ?? 10_000,
      (_key, pool) => void pool.close().catch(() => undefined),
    )
  }

  upstream(e: Endpoint): H1Pool {
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
