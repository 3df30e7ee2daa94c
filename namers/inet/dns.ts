/**
 * DNS-backed address sets for host names (Finagle's `InetResolver` and `FixedInetResolver`).
 * Each is a `Cell` whose source runs only while observed, so an unobserved name holds no
 * timer and no pending lookup.
 */
import { lookup as dnsLookup } from 'node:dns/promises'
import { Cell, type Source, type Var } from '../../dtabs/activity.js'
import { errorCode, errorMessage } from '../../lib/errors.js'
import { ADDR_NEG, ADDR_PENDING, type Addr } from '../../dtabs/name.js'

/** Resolves a host name to its IP addresses; rejects with a Node DNS error (`code`). */
export type DnsLookup = (host: string) => Promise<readonly string[]>

export interface DnsOptions {
  /** Defaults to `node:dns` `lookup(host, { all: true })`. */
  readonly lookup?: DnsLookup
  /** Delay between the starts of two polls; Finagle's default is 5 s. */
  readonly pollMs?: number
}

export interface FixedDnsOptions {
  readonly lookup?: DnsLookup
  /** Most names cached at once (Finagle's `FixedInetResolver` default: 16000). */
  readonly maxCacheSize?: number
}

/** The system resolver (getaddrinfo), as the JVM uses it. */
export async function systemLookup(host: string): Promise<readonly string[]> {
  const found = await dnsLookup(host, { all: true })
  return found.map((a) => a.address)
}

function boundAt(ips: readonly string[], port: number): Addr {
  return { type: 'bound', addrs: [...new Set(ips)].map((host) => ({ host, port })) }
}

/** Equal address sets of one cell (one port; order ignored, as round-robin DNS rotates). */
function sameAddr(a: Addr, b: Addr): boolean {
  if (a.type === 'failed' && b.type === 'failed') return a.cause === b.cause
  if (a.type !== 'bound' || b.type !== 'bound') return a.type === b.type
  if (a.addrs.length !== b.addrs.length) return false
  const hosts = new Set(a.addrs.map((x) => x.host))
  return b.addrs.every((x) => hosts.has(x.host))
}

/**
 * The next value after a failed lookup: an unknown name (`ENOTFOUND`, Java's
 * `UnknownHostException`) is Neg; any other error only replaces a value that is not an
 * answer yet, so a transient DNS outage keeps the last good address set.
 */
function afterError(current: Addr, e: unknown): Addr {
  if (errorCode(e) === 'ENOTFOUND') return ADDR_NEG
  if (current.type === 'bound' || current.type === 'neg') return current
  return { type: 'failed', cause: errorMessage(e) }
}

/** The value after one lookup of the cell's name (never rejects). */
async function answer(
  cell: Cell<Addr>,
  ask: () => Promise<readonly string[]>,
  port: number,
): Promise<Addr> {
  try {
    return boundAt(await ask(), port)
  } catch (e) {
    return afterError(cell.get(), e)
  }
}

function pollingSource(host: string, port: number, options: DnsOptions): Source<Addr> {
  const lookup = options.lookup ?? systemLookup
  const pollMs = options.pollMs ?? 5000
  return function pollDns(cell) {
    let stopped = false
    let timer: NodeJS.Timeout | undefined
    async function poll(): Promise<void> {
      const started = Date.now()
      const next = await answer(cell, () => lookup(host), port)
      if (stopped) return
      if (!sameAddr(cell.get(), next)) cell.set(next)
      timer = setTimeout(() => void poll(), Math.max(0, pollMs - (Date.now() - started)))
    }
    void poll()
    return function stopPolling() {
      stopped = true
      clearTimeout(timer)
    }
  }
}

/**
 * The address set of `host:port` by DNS: pending until first answered; while observed, looked
 * up at once and then every `pollMs`. Stopped (timer cleared, late answers ignored) when the
 * last observer leaves; observing again resumes polling from the last value.
 */
export function watchDns(host: string, port: number, options: DnsOptions = {}): Var<Addr> {
  return new Cell<Addr>(ADDR_PENDING, pollingSource(host, port, options))
}

/**
 * A `fixedinet` resolver: each name is looked up once, when a Var for it is first observed;
 * successful answers are cached by name (oldest evicted past `maxCacheSize`), failures are
 * not, so a later observation of a Var that is not bound asks again.
 */
export function fixedDnsResolver(
  options: FixedDnsOptions = {},
): (host: string, port: number) => Var<Addr> {
  const lookup = options.lookup ?? systemLookup
  const max = options.maxCacheSize ?? 16000
  const cache = new Map<string, Promise<readonly string[]>>()
  function cached(host: string): Promise<readonly string[]> {
    const hit = cache.get(host)
    if (hit !== undefined) return hit
    const ips = lookup(host)
    cache.set(host, ips)
    ips.catch(() => forget(host, ips))
    if (cache.size > max) forget(cache.keys().next().value ?? host)
    return ips
  }
  function forget(host: string, only?: Promise<readonly string[]>): void {
    if (only === undefined || cache.get(host) === only) cache.delete(host)
  }
  return function resolveFixed(host, port) {
    return new Cell<Addr>(ADDR_PENDING, function resolveOnce(cell) {
      let stopped = false
      if (cell.get().type !== 'bound') {
        void answer(cell, () => cached(host), port).then((next) => {
          if (!stopped) cell.set(next)
        })
      }
      return function stopWaiting() {
        stopped = true
      }
    })
  }
}
