/**
 * Figures straight from the routers' admin servers (`/admin/metrics/clients.json`): every
 * router is read at `open` and at each `read`, and the differences are summed (reading.ts). For
 * small fleets with no Prometheus. Every router must answer each read: a router that does not is
 * an error, never a smaller sum.
 */
import { FiguresError } from './errors.js'
import { fetchJson } from './fetch-json.js'
import { rebased, type Cumulative, type Reading } from '../../lib/metrics/interval.js'
import { figuresBetween, type FigureSource, type Interval } from './figures.js'

export interface AdminSourceOptions {
  /** How long one router's read may take (default 5000 ms). */
  readonly timeoutMs?: number
}

/**
 * A source reading the routers whose admin base URLs are `urls` (`http://10.0.0.5:9990`). A
 * router with `--workers` is read whole (its admin merges every worker), but a read where a
 * worker did not answer is `ERR_FIGURES_PARTIAL`.
 */
export function adminSource(
  urls: readonly string[],
  options: AdminSourceOptions = {},
): FigureSource {
  const stop = new AbortController()
  const timeoutMs = options.timeoutMs ?? 5000
  // Series summed over a router's workers: a worker's restart makes them go down (rebased).
  const summed = new Set<string>()
  const readAll = async (clients: readonly string[]): Promise<Reading> => {
    const parts = await Promise.all(
      urls.map((url) => readRouter(url, clients, timeoutMs, stop.signal)),
    )
    for (const { series, merged } of parts) {
      for (const [key] of series) if (merged) summed.add(key)
    }
    return new Map(parts.flatMap((p) => p.series))
  }
  return {
    name: `${urls.length} router${urls.length === 1 ? '' : 's'}' admin metrics`,
    async open(clients): Promise<Interval> {
      let then = await readAll(clients)
      const read = async () => {
        const now = await readAll(clients)
        then = rebased(then, now, (key) => summed.has(key))
        return figuresBetween(then, now)
      }
      return { read }
    },
    close: () => stop.abort(),
  }
}

async function readRouter(
  base: string,
  clients: readonly string[],
  timeoutMs: number,
  signal: AbortSignal,
): Promise<RouterReading> {
  const url = new URL('/admin/metrics/clients.json', base)
  for (const c of clients) url.searchParams.append('client', c.replace(/^\//, ''))
  const { status, body } = await fetchJson(url.href, { timeoutMs, signal })
  if (status !== 200) {
    throw new FiguresError('ERR_FIGURES_RESPONSE', `${url.href}: ${status} ${JSON.stringify(body)}`)
  }
  return parseClients(url.href, body)
}

/** One router's series, and whether they are sums over its workers (`router --workers`). */
interface RouterReading {
  readonly series: [string, Cumulative][]
  readonly merged: boolean
}

interface ClientJson {
  router: string
  client: string
  success: number
  failures: number
  latencyBuckets: [number, number][]
}

/** clients.json's series, keyed by admin URL, router label and client. */
function parseClients(url: string, body: unknown): RouterReading {
  const doc = body as { clients?: unknown; workers?: { reporting?: number; configured?: number } }
  if (!Array.isArray(doc.clients) || !doc.clients.every(isClient)) {
    throw new FiguresError('ERR_FIGURES_RESPONSE', `${url}: not a router's clients.json`)
  }
  const w = doc.workers
  if (w?.reporting !== undefined && w.configured !== undefined && w.reporting < w.configured) {
    const msg = `${url}: ${w.reporting} of the router's ${w.configured} workers answered`
    throw new FiguresError('ERR_FIGURES_PARTIAL', msg)
  }
  const series = doc.clients.map((c): [string, Cumulative] => [
    `${url}\0${c.router}\0${c.client}`,
    {
      ended: c.success + c.failures,
      failures: c.failures,
      buckets: new Map(c.latencyBuckets.map(([le, n]) => [Math.round(le * 1000), n])),
    },
  ])
  return { series, merged: (w?.configured ?? 1) > 1 }
}

function isClient(c: unknown): c is ClientJson {
  const o = c as ClientJson
  return (
    typeof o === 'object' &&
    o !== null &&
    typeof o.router === 'string' &&
    typeof o.client === 'string' &&
    isCount(o.success) &&
    isCount(o.failures) &&
    Array.isArray(o.latencyBuckets) &&
    o.latencyBuckets.every((b) => Array.isArray(b) && isCount(b[0]) && isCount(b[1]))
  )
}

/** A count as a router reports it (JSON's 1e400 parses as Infinity: refused). */
function isCount(n: unknown): n is number {
  return typeof n === 'number' && Number.isFinite(n) && n >= 0
}
