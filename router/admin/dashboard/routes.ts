import type { FastifyInstance } from 'fastify'
import type { ClientHealth } from '../../accrual/index.js'
import { AdminError } from '../errors.js'
import type { ClientStateSource } from '../client-state.js'
import type { Figures } from './readings.js'
import type { DashboardSampler, RouterFigures } from './sampler.js'

/** Rows a page of services or clients holds at most (`limit`), and by default. */
export const MAX_PAGE_ROWS = 500
export const DEFAULT_PAGE_ROWS = 50
/** The longest `q` filter, in characters. */
export const MAX_FILTER_LENGTH = 200

interface PageQuery {
  readonly q: string
  readonly limit: number
  readonly serviceOffset: number
  readonly clientOffset: number
}

/**
 * `GET /admin/dashboard.json`: the dashboard's live figures (sampler.ts): `intervalMs`,
 * `sampledAt` (epoch ms the figures end at), `coveredMs` (how long their interval was: about
 * `intervalMs`, longer when the admin was busy), then per router: the
 * router's figures and history, then one page of its services and one of its clients (sorted
 * by name; `q` keeps the names that contain it, ignoring case; `limit` rows from
 * `serviceOffset` and `clientOffset`), each client with its endpoints (address, weight, load:
 * requests in flight, and its health: alive, dead until when, probing). 400 for a bad value.
 */
export function dashboardRoutes(
  app: FastifyInstance,
  deps: { sampler: DashboardSampler; routers: readonly ClientStateSource[] },
): void {
  app.get('/admin/dashboard.json', async function dashboard(req, reply) {
    const page = readQuery(req.query as Record<string, unknown>)
    const routers = await deps.sampler.read()
    const body = {
      intervalMs: deps.sampler.intervalMs,
      sampledAt: deps.sampler.sampledAt,
      coveredMs: deps.sampler.coveredMs,
      routers: routers.map((r) => {
        const health = deps.routers.find((s) => s.label === r.label)?.clientState?.() ?? {}
        return routerView(r, page, health)
      }),
    }
    return reply.type('application/json; charset=utf-8').send(JSON.stringify(body))
  })
}

function routerView(r: RouterFigures, page: PageQuery, health: Record<string, ClientHealth>) {
  const services = pageOf(r.services, page, page.serviceOffset)
  const clients = pageOf(r.clients, page, page.clientOffset)
  return {
    label: r.label,
    figures: r.figures,
    history: r.history,
    services: {
      ...services,
      rows: services.rows.map(([name, f]) => ({ name: `/${name}`, figures: f })),
    },
    clients: {
      ...clients,
      rows: clients.rows.map(([id, f]) => ({ id: `/${id}`, figures: f, ...healthOf(health, id) })),
    },
  }
}

/** `id` as the stats name it (no leading `/`); the clients' health is by shown id. */
function healthOf(health: Record<string, ClientHealth>, id: string): Partial<ClientHealth> {
  return health[`/${id}`] ?? {}
}

function pageOf(all: ReadonlyMap<string, Figures | null>, page: PageQuery, offset: number) {
  const q = page.q.toLowerCase()
  const matched = [...all].filter(([name]) => q === '' || name.toLowerCase().includes(q))
  matched.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
  return {
    total: all.size,
    matched: matched.length,
    offset,
    rows: matched.slice(offset, offset + page.limit),
  }
}

function readQuery(query: Record<string, unknown>): PageQuery {
  const q = text(query['q'], 'q')
  if (q.length > MAX_FILTER_LENGTH) {
    throw new AdminError('ERR_ADMIN_BAD_REQUEST', `q: at most ${MAX_FILTER_LENGTH} characters`)
  }
  return {
    q,
    limit: count(query['limit'], 'limit', DEFAULT_PAGE_ROWS, 1, MAX_PAGE_ROWS),
    serviceOffset: count(query['serviceOffset'], 'serviceOffset', 0, 0, Number.MAX_SAFE_INTEGER),
    clientOffset: count(query['clientOffset'], 'clientOffset', 0, 0, Number.MAX_SAFE_INTEGER),
  }
}

function text(v: unknown, name: string): string {
  if (v === undefined) return ''
  if (typeof v !== 'string')
    throw new AdminError('ERR_ADMIN_BAD_REQUEST', `${name}: given more than once`)
  return v
}

function count(v: unknown, name: string, dflt: number, min: number, max: number): number {
  const s = text(v, name)
  if (s === '') return dflt
  const n = Number(s)
  if (!/^\d+$/.test(s) || n < min || n > max) {
    throw new AdminError('ERR_ADMIN_BAD_REQUEST', `${name}: an integer from ${min} to ${max}`)
  }
  return n
}
