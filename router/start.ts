import {
  clientParamsFor,
  h2SettingsFor,
  serviceParamsFor,
  tlsFor,
  upstreamSettingsFor,
  type HttpRouterConfig,
  type RouterConfig,
} from './config/index.js'
import { AccessLog } from './core/steps/access-log.js'
import { DEFAULT_ACCRUAL } from './accrual/index.js'
import { connectProbe } from './h1/connect-probe.js'
import { parseBalancer } from './balancers/index.js'
import type { Log } from '../lib/log.js'
import type { Interpreter } from './model.js'
import { startNamers, type StartedNamers } from '../namers/index.js'
import { Router } from './core/router.js'
import { SelfAddresses } from './core/self-addresses.js'
import { servicePolicy } from './core/service-policy.js'
import { startServer, type RouterServer } from './h1/listener.js'
import { Pools } from './h1/pools.js'
import type { H1PoolOptions } from './h1/pool.js'
import { ClientTlsFiles } from './net/upstream-tls-files.js'
import type { Path } from '../dtabs/index.js'
import type { MetricsRegistry } from './metrics/index.js'
import type { Connector } from './core/handler.js'
import type { ServerConfig } from './config/index.js'
import { startH2Server } from './h2/server.js'
import { AdminLink } from './core/admin-link.js'
import { H2Sessions } from './h2/sessions.js'
import type { H2ClientOptions } from './h2/upstream-options.js'

/** A running router process: its routers, their servers, and how to stop it all. */
export interface Running {
  readonly routers: readonly {
    readonly router: Router
    readonly interpreter: Interpreter
    readonly config: HttpRouterConfig
  }[]
  readonly servers: readonly RouterServer[]
  /** This process's own addresses, for the override guard (the admin is added once it listens). */
  readonly self: SelfAddresses
  /** Where naming failures point: set to the admin's URL once it listens. */
  readonly adminLink: AdminLink
  /** Stops accepting, lets requests in flight finish (up to `graceMs`), then releases everything. */
  close(graceMs?: number): Promise<void>
}

const defaultBalancer = parseBalancer(undefined)

/** The router's `httpAccessLog` or `h2AccessLog`, opened now (a file that cannot be opened stops the start). */
function openAccessLog(cfg: HttpRouterConfig, log: Log): AccessLog | undefined {
  const file = cfg.accessLog
  if (file === undefined) return undefined
  return new AccessLog(file, (message) => log.warn(message, { router: cfg.label }))
}

/** `log` with the router's label on every line. */
function routerLog(log: Log, router: string): Log {
  return {
    debug: (msg, fields) => log.debug(msg, { router, ...fields }),
    info: (msg, fields) => log.info(msg, { router, ...fields }),
    warn: (msg, fields) => log.warn(msg, { router, ...fields }),
    error: (msg, fields) => log.error(msg, { router, ...fields }),
  }
}

/** A client's connection settings for the HTTP/1.1 pools: bounds, and TLS if any. */
function h1Settings(cfg: HttpRouterConfig, id: Path): H1PoolOptions {
  const tls = tlsFor(cfg.client, id)
  return { ...upstreamSettingsFor(cfg.client, id), ...(tls === undefined ? {} : { tls }) }
}

/** A client's settings for the HTTP/2 sessions: its bounds, TLS and h2 settings. */
function h2Settings(cfg: HttpRouterConfig, id: Path): H2ClientOptions {
  const tls = tlsFor(cfg.client, id)
  const { responseTimeoutMs, idleTimeMs, maxWaiters } = upstreamSettingsFor(cfg.client, id)
  const h2 = h2SettingsFor(cfg.client, id)
  return { responseTimeoutMs, idleTimeMs, maxWaiters, h2, ...(tls === undefined ? {} : { tls }) }
}

/** The router's connector: HTTP/1.1 pools, or HTTP/2 sessions for an h2 router. */
function connectorFor(cfg: HttpRouterConfig, tlsFiles: ClientTlsFiles): Connector {
  if (cfg.protocol === 'h2') {
    return new H2Sessions({ settingsFor: (id) => h2Settings(cfg, id), tlsFiles })
  }
  return new Pools({ settingsFor: (id) => h1Settings(cfg, id), tlsFiles })
}

/**
 * Reads every client TLS file of the router now, its interpreter's to namerd included (one that
 * is missing or bad stops the start), and watches them: changed files are taken by new connections.
 */
function openClientTls(cfg: HttpRouterConfig, log: Log): Promise<ClientTlsFiles> {
  const placed = cfg.client.configs.flatMap((c) =>
    c.params.tls?.enabled === true ? [{ tls: c.params.tls, at: `${c.at}.tls` }] : [],
  )
  const interpreterTls = cfg.interpreter.tls
  if (interpreterTls !== undefined) placed.push(interpreterTls)
  return ClientTlsFiles.open(placed, routerLog(log, cfg.label))
}

function makeRouter(
  cfg: HttpRouterConfig,
  namers: StartedNamers,
  log: Log,
  metrics: MetricsRegistry,
  self: SelfAddresses,
  tlsFiles: ClientTlsFiles,
  adminLink: AdminLink,
) {
  // First: an access log that cannot be opened stops the start before anything needs closing.
  const accessLog = openAccessLog(cfg, log)
  const interpreter = cfg.interpreter.make({
    namers: namers.namers,
    dtab: cfg.dtab,
    log: (message) => log.info(message, { router: cfg.label }),
    cache: { maxSize: cfg.bindingCache.paths, idleTtlMs: cfg.bindingCache.idleTtlSecs * 1000 },
    delegateTimeoutMs: Math.min(cfg.bindingTimeoutMs, 2000),
    bindingNodeLimit: cfg.bindingNodeLimit,
    stats: metrics.router(cfg.label),
    namerdAt: (addresses) => self.addNamerd(addresses),
    clientTls: tlsFiles,
  })
  const router = new Router({
    label: cfg.label,
    identify: cfg.identifier.make({ prefix: cfg.dstPrefix }),
    interpreter,
    connector: connectorFor(cfg, tlsFiles),
    balancerFor: (id) => clientParamsFor(cfg.client, id).loadBalancer ?? defaultBalancer,
    attemptTimeoutFor: (id) => clientParamsFor(cfg.client, id).requestAttemptTimeoutMs,
    requeueBudgetFor: (id) => clientParamsFor(cfg.client, id).requeueBudget,
    policyFor: (name) => servicePolicy(serviceParamsFor(cfg.service, name)),
    accessLog,
    bindingTimeoutMs: cfg.bindingTimeoutMs,
    cache: {
      paths: cfg.bindingCache.paths,
      clients: cfg.bindingCache.clients,
      idleTtlSecs: cfg.bindingCache.idleTtlSecs,
    },
    stats: metrics.router(cfg.label),
    self,
    adminLink,
    health: {
      healthFor: (id) => {
        const p = clientParamsFor(cfg.client, id)
        return { accrual: p.failureAccrual ?? DEFAULT_ACCRUAL, failFast: p.failFast ?? false }
      },
      health: { connectProbe, log: routerLog(log, cfg.label) },
    },
  })
  return { router, interpreter, config: cfg }
}

/** Starts one server of router `cfg`: HTTP/1.1, or HTTP/2 for an h2 router. */
function startOne(
  router: Router,
  cfg: HttpRouterConfig,
  s: ServerConfig,
  metrics: MetricsRegistry,
  log: Log,
): Promise<RouterServer> {
  const statsFor = (ip: string, port: number) => metrics.router(cfg.label).server(ip, port)
  if (cfg.protocol === 'h2') return startH2Server(router, { ...s, statsFor, log })
  const maxHeaderBytes = (cfg.maxHeadersKB + cfg.maxInitialLineKB) * 1024
  return startServer(router, { ...s, maxHeaderBytes, statsFor, log })
}

/**
 * Starts the namers, every router and every server of a checked config. If anything fails to
 * start, what was started is closed and the error thrown.
 */
export async function startRouters(
  config: RouterConfig,
  log: Log,
  metrics: MetricsRegistry,
): Promise<Running> {
  const namers = startNamers(config.namers)
  // Every address of this process (all routers' servers, admin, namerd): overrides may not reach them.
  const self = new SelfAddresses({ host: config.admin.ip, port: config.admin.port })
  const adminLink = new AdminLink()
  const routers: ReturnType<typeof makeRouter>[] = []
  const servers: RouterServer[] = []
  const clientTls: ClientTlsFiles[] = []
  const close = async (graceMs = 10_000): Promise<void> => {
    await Promise.all(servers.map((s) => s.close(graceMs)))
    for (const r of routers) {
      await r.router.close()
      r.interpreter.close()
    }
    for (const files of clientTls) files.close()
    namers.close()
  }
  try {
    for (const cfg of config.routers) {
      const tlsFiles = await openClientTls(cfg, log)
      clientTls.push(tlsFiles)
      routers.push(makeRouter(cfg, namers, log, metrics, self, tlsFiles, adminLink))
    }
    for (const r of routers) {
      for (const s of r.config.servers) {
        const server = await startOne(r.router, r.config, s, metrics, log)
        servers.push(server)
        self.addServer({ host: server.address.ip, port: server.address.port })
      }
    }
  } catch (e) {
    await close(0)
    throw e
  }
  return { routers, servers, self, adminLink, close }
}
