import type { FastifyInstance } from 'fastify'
import type { MetricsRegistry } from '../metrics/index.js'

/**
 * `GET /admin/metrics/prometheus` (text/plain; version=0.0.4; `prometheusPath` moves it, as
 * `io.l5d.prometheus`'s `path` does; `buckets=1` adds the clients' cumulative latency buckets),
 * `GET /admin/metrics.json` (`pretty=1`, `tree=1`, `q=a/b`; 404
 * `{"error": "No such subtree: a/b"}`) and `GET /admin/metrics/clients.json` (`client=ID`,
 * repeatable: only those clients), all from the process's `MetricsRegistry` (its `scrape()`:
 * with `router --workers`, every worker's metrics merged).
 */
export function metricsRoutes(
  app: FastifyInstance,
  deps: { metrics: MetricsRegistry; prometheusPath?: string | undefined },
): void {
  const path = deps.prometheusPath ?? '/admin/metrics/prometheus'
  app.get(path, async function prometheus(req, reply) {
    const query = req.query as Record<string, unknown>
    const body = await deps.metrics.prometheus(undefined, { buckets: flag(query['buckets']) })
    return reply.type(deps.metrics.contentType).send(body)
  })
  app.get('/admin/metrics.json', async function metricsJson(req, reply) {
    const query = req.query as Record<string, unknown>
    const opts = {
      pretty: flag(query['pretty']),
      tree: flag(query['tree']),
      q: typeof query['q'] === 'string' ? query['q'] : undefined,
    }
    const { status, body } = deps.metrics.metricsJson(opts, await deps.metrics.scrape())
    return reply.code(status).type('application/json; charset=utf-8').send(body)
  })
  app.get('/admin/metrics/clients.json', async function clientsJson(req, reply) {
    const only = (req.query as Record<string, unknown>)['client']
    const ids =
      typeof only === 'string' ? [only] : Array.isArray(only) ? only.map(String) : undefined
    const body = await deps.metrics.clientsJson(ids)
    return reply.type('application/json; charset=utf-8').send(body)
  })
}

/** finagle's boolean params: `1` or `true` (any case) is true. */
function flag(v: unknown): boolean {
  return typeof v === 'string' && (v === '1' || v.toLowerCase() === 'true')
}
