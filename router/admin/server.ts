import Fastify, { type FastifyInstance } from 'fastify'
import type { Server as HttpsServer } from 'node:https'
import type { TlsOptions } from 'node:tls'
import type { ServerTlsConfig } from '../../lib/tls/server-config.js'
import { openServerTls } from '../../lib/tls/server.js'
import type { BearerGuard } from '../../lib/auth/bearer.js'
import { nullLog, type Log } from '../../lib/log.js'
import type { MetricsRegistry } from '../metrics/index.js'
import { delegatorRoutes, type AdminRouter } from './delegator.js'
import { clientStateRoutes } from './client-state.js'
import { dashboardRoutes } from './dashboard/routes.js'
import { dtabsRoutes } from './dtabs.js'
import { pageRoutes } from '../../lib/admin/pages.js'
import { DashboardSampler, type SamplerOptions } from './dashboard/sampler.js'
import { adminErrorHandler } from './errors.js'
import { healthRoutes } from '../../lib/admin/health.js'
import { indexRoutes } from './index-txt.js'
import { infoRoutes } from './info.js'
import { interpreterStateRoutes } from './interpreter-state.js'
import { metricsRoutes } from './metrics.js'
import { shutdownRoutes } from './shutdown.js'

export type { AdminRouter } from './delegator.js'

/** Everything the admin server shows or calls; it owns none of it. */
export interface AdminOptions {
  /** Listen address; default 127.0.0.1 (the admin port is not for the world). */
  readonly ip?: string
  /** Default 9990; 0 picks a free port (tests). */
  readonly port?: number
  /** Serve HTTPS with these files (`admin.tls`), kept current when they change. */
  readonly tls?: ServerTlsConfig
  /** The loaded configuration, echoed by `/config.json` (TLS keys by path only). */
  readonly config: unknown
  readonly isReady: () => boolean
  /** In config order; the first is the delegator's default namespace. */
  readonly routers: readonly AdminRouter[]
  readonly boundNames: () => readonly string[]
  readonly metrics: MetricsRegistry
  /** Where Prometheus text is served (`io.l5d.prometheus`'s `path`); default as linkerd's. */
  readonly prometheusPath?: string
  /** Called after `/admin/shutdown` has answered, with `?grace=` in ms if given. */
  readonly shutdown: (graceMs?: number) => void
  /** The token `POST /admin/shutdown` needs (`admin.auth.control`); absent: open. */
  readonly control?: BearerGuard
  readonly log?: Log
  /** `/delegator.json` gives up after this long (default 2000 ms, linkerd's). */
  readonly delegateTimeoutMs?: number
  /** The dashboard's sampling (dashboard/sampler.ts); its defaults otherwise. */
  readonly dashboard?: SamplerOptions
}

/** The router admin's pages (ui/router/): the dashboard and the dtab playground. */
export const ROUTER_PAGES = [
  { path: '/', title: 'router: dashboard', script: 'dashboard' },
  { path: '/delegator', title: 'router: dtab playground', script: 'playground' },
] as const

/**
 * The admin app with every route, not listening: tests drive it with `inject()`. Fastify's
 * logger is off (errors are logged once, by the error handler).
 */
export function buildAdmin(options: AdminOptions, https?: TlsOptions): FastifyInstance {
  const log = options.log ?? nullLog
  const app = Fastify({
    logger: false,
    forceCloseConnections: true,
    https: https ?? null,
  }) as unknown as FastifyInstance
  const endpoints = new Set<string>()
  app.addHook('onRoute', (route) => {
    // The pages' files (/ui/…) are what the pages load, not endpoints; whether built or not.
    const listed = !route.url.includes('*') && !route.url.includes(':')
    if (listed && !route.url.startsWith('/ui/')) endpoints.add(route.url)
  })
  app.setErrorHandler(adminErrorHandler(log))
  healthRoutes(app, options)
  metricsRoutes(app, options)
  infoRoutes(app, options)
  delegatorRoutes(app, {
    routers: options.routers,
    timeoutMs: options.delegateTimeoutMs ?? 2000,
  })
  interpreterStateRoutes(app, options.routers)
  clientStateRoutes(app, options.routers)
  const sampler = new DashboardSampler(() => options.metrics.scrape(), options.dashboard)
  app.addHook('onClose', async () => sampler.close())
  dashboardRoutes(app, { sampler, routers: options.routers })
  dtabsRoutes(app, options.routers)
  pageRoutes(app, ROUTER_PAGES)
  shutdownRoutes(app, {
    shutdown: options.shutdown,
    onError: (err) => log.error('shutdown failed', { err }),
    guard: options.control,
  })
  indexRoutes(app, { endpoints: () => [...endpoints].sort() })
  return app
}

/** A listening admin server; `close()` also drops open connections, so it never hangs. */
export interface AdminServer {
  readonly address: { readonly ip: string; readonly port: number }
  close(): Promise<void>
}

/** Starts the admin server (`ip` default 127.0.0.1, `port` default 9990). */
export async function startAdmin(options: AdminOptions): Promise<AdminServer> {
  const log = options.log ?? nullLog
  const tls = options.tls === undefined ? undefined : await openServerTls(options.tls, log)
  const app = buildAdmin(options, tls?.options)
  const ip = options.ip ?? '127.0.0.1'
  try {
    await app.listen({ host: ip, port: options.port ?? 9990 })
  } catch (e) {
    tls?.close()
    await app.close()
    throw e
  }
  tls?.attach(app.server as unknown as HttpsServer)
  const bound = app.server.address()
  const port = typeof bound === 'object' && bound !== null ? bound.port : (options.port ?? 9990)
  log.info('admin listening', { ip, port, tls: tls !== undefined })
  return {
    address: { ip, port },
    async close() {
      tls?.close()
      await app.close()
    },
  }
}
