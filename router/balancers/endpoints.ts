/**
 * Endpoint-set bookkeeping shared by every balancer: identity keys, weights read from address
 * metadata, and `reconcile`, which turns a new address list into the next endpoint list while
 * keeping the objects (and so the state) of the endpoints that stay.
 */
import type { Balancer, Endpoint } from '../model.js'

/** What `Balancer.update` receives. */
export type Addresses = Parameters<Balancer['update']>[0]

/** Address metadata key of a per-endpoint weight (Finagle `WeightedAddress`'s weight key). */
export const WEIGHT_KEY = 'endpoint_addr_weight'

/** `host:port`, with an IPv6 host in brackets (`[::1]:80`): an endpoint's identity. */
export function endpointKey(host: string, port: number): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]:${port}` : `${host}:${port}`
}

/**
 * The weight in `meta[WEIGHT_KEY]` when it is a finite number ≥ 0, else 1. Zero is kept: such
 * an endpoint gets no traffic while some endpoint has a positive weight (a drained endpoint).
 */
export function endpointWeight(meta: Readonly<Record<string, unknown>> | undefined): number {
  const w = meta?.[WEIGHT_KEY]
  return typeof w === 'number' && Number.isFinite(w) && w >= 0 ? w : 1
}

/**
 * The endpoint object a balancer hands out. Only its balancer writes it; `weight` follows the
 * latest update of the same key (as Finagle's `TrafficDistributor` overwrites a kept address's
 * weight).
 */
export class BalancedEndpoint implements Endpoint {
  pending = 0

  constructor(
    readonly key: string,
    readonly host: string,
    readonly port: number,
    public weight: number,
  ) {}
}

/** Makes the endpoint object of a key seen for the first time. */
export type NewEndpoint<E> = (key: string, host: string, port: number, weight: number) => E

/**
 * The endpoint list for `addrs`, in their order: endpoints of `current` whose key stays are
 * reused (their weight updated), new keys get `create`, the rest are dropped. A repeated key
 * collapses to its first occurrence. `current` is left as it was, apart from weights.
 */
export function reconcile<E extends BalancedEndpoint>(
  current: readonly E[],
  addrs: Addresses,
  create: NewEndpoint<E>,
): E[] {
  const byKey = new Map<string, E>()
  for (const e of current) byKey.set(e.key, e)
  const seen = new Set<string>()
  const next: E[] = []
  for (const { host, port, meta } of addrs) {
    const key = endpointKey(host, port)
    if (seen.has(key)) continue
    seen.add(key)
    const weight = endpointWeight(meta)
    const kept = byKey.get(key)
    if (kept === undefined) {
      next.push(create(key, host, port, weight))
    } else {
      kept.weight = weight
      next.push(kept)
    }
  }
  return next
}

/**
 * Ends one request on `e`: `pending` goes down by one, never below zero. Safe on an endpoint
 * that has been removed meanwhile (it is detached, so nothing else changes).
 */
export function endRequest(e: Endpoint): void {
  if (e.pending > 0) e.pending -= 1
}
