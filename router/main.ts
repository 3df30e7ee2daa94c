import cluster from 'node:cluster'
import { InvalidArgumentError, type Command } from 'commander'
import { BearerGuard } from '../lib/auth/bearer.js'
import { readToken } from '../lib/auth/token.js'
import { reportFailure } from '../lib/cli.js'
import { parseServerCommandLine, serverProgram } from '../lib/server-cli.js'
import { createLog, type Log } from '../lib/log.js'
import { adminRouters } from './admin/routers.js'
import { adminBase } from './core/admin-link.js'
import { startAdmin, type AdminServer } from './admin/server.js'
import { parseConfig, type RouterConfig } from './config/index.js'
import { readConfigFile } from '../lib/config/file.js'
import { MetricsRegistry } from './metrics/index.js'
import { startRouters, type Running } from './start.js'
import { joinWorkerMetrics, relayMetrics, WORKERS_ENV } from './workers/cluster.js'

interface Options {
  validate?: boolean
  workers?: number
}

/** Reads and checks a config file; warnings are logged. Throws ConfigError. */
async function load(file: string, log: Log): Promise<{ config: RouterConfig; raw: unknown }> {
  const raw = await readConfigFile(file)
  const config = parseConfig(raw)
  for (const w of config.warnings) log.warn(w)
  return { config, raw }
}

/**
 * Runs the routers and (on the first worker only) the admin server until SIGTERM, SIGINT or
 * `POST /admin/shutdown`, then shuts down gracefully: stop accepting, finish requests in flight,
 * exit.
 */
async function serve(
  config: RouterConfig,
  raw: unknown,
  log: Log,
  withAdmin: boolean,
): Promise<void> {
  // Read before anything listens: a token that cannot be read stops the start.
  const control = controlGuard(config, log, withAdmin)
  const metrics = new MetricsRegistry({ prometheusPrefix: config.telemetry[0]?.prefix ?? '' })
  const state: { running?: Running; admin?: AdminServer; stopping: boolean } = { stopping: false }
  const shutdown = (graceMs = config.admin.shutdownGraceMs): void => {
    if (state.stopping) return
    state.stopping = true
    log.info('shutting down', { graceMs })
    void (async () => {
      await state.running?.close(graceMs)
      await state.admin?.close()
      metrics.close()
      log.info('stopped')
      process.exit(0)
    })()
  }
  process.once('SIGTERM', () => shutdown())
  process.once('SIGINT', () => shutdown())
  const running = await startRouters(config, log, metrics)
  state.running = running
  for (const s of running.servers) log.info('listening', { ip: s.address.ip, port: s.address.port })
  if (cluster.isWorker) joinWorkerMetrics(metrics, withAdmin)
  if (!withAdmin) return
  state.admin = await startAdmin({
    ip: config.admin.ip,
    port: config.admin.port,
    ...(config.admin.tls === undefined ? {} : { tls: config.admin.tls }),
    config: raw,
    isReady: () => !state.stopping,
    routers: adminRouters(running),
    boundNames: () => running.routers.flatMap((r) => r.router.boundNames()),
    metrics,
    prometheusPath: config.telemetry[0]?.path,
    shutdown,
    ...(control === undefined ? {} : { control }),
    log,
  })
  // With admin.port 0 the guard learns the admin's port only now.
  const { ip, port } = state.admin.address
  running.self.setAdmin({ host: ip, port })
  running.adminLink.set(adminBase(ip, port, config.admin.tls !== undefined))
}

/** The guard of `admin.auth.control`, on the process that serves admin. */
function controlGuard(config: RouterConfig, log: Log, withAdmin: boolean): BearerGuard | undefined {
  const source = config.admin.auth.control
  if (!withAdmin || source === undefined) return undefined
  return new BearerGuard(source, { onReloadError: (message) => log.warn(message) })
}

function workerCount(text: string): number {
  const n = Number(text)
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected an integer ≥ 1')
  return n
}

/**
 * Forks `n` workers; the first serves admin, its metrics covering every worker (the primary
 * relays: workers-cluster.ts). A worker that dies is replaced unless stopping,
 * but five deaths within ten seconds (a port in use, say) stop everything with status 1.
 */
function supervise(n: number, log: Log): void {
  let stopping = false
  const deaths: number[] = []
  const stop = (): void => {
    stopping = true
    for (const w of Object.values(cluster.workers ?? {})) w?.process.kill('SIGTERM')
  }
  const fork = (index: number): void => {
    const w = cluster.fork({ ROUTER_WORKER_INDEX: String(index), [WORKERS_ENV]: String(n) })
    w.on('exit', (code) => {
      if (stopping) return
      const now = Date.now()
      deaths.push(now)
      if (deaths.filter((t) => now - t < 10_000).length >= 5) {
        log.error('workers keep exiting; stopping', { code })
        process.exitCode = 1
        stop()
        return
      }
      log.warn('worker exited; restarting it', { index, code })
      fork(index)
    })
  }
  relayMetrics()
  for (let i = 0; i < n; i++) fork(i)
  process.once('SIGTERM', stop)
  process.once('SIGINT', stop)
}

function program(): Command {
  return serverProgram({
    name: 'router',
    description: 'Route HTTP/1.1 requests by Dtab (linkerd 1 config files).',
    config: 'linkerd-format config file',
    failures: 'invalid config, a port in use, workers that keep exiting, or a bug',
    docs: ['README.md', 'docs/operations.md', 'docs/transformers.md', 'docs/errors.md'],
  }).option(
    '--workers <n>',
    'worker processes (node:cluster) sharing the servers; the first serves admin',
    workerCount,
  )
}

/** `router CONFIG [--validate] [--workers N]`; sets `process.exitCode` on failure. */
export async function main(argv: readonly string[]): Promise<void> {
  const log = createLog({ name: 'router' })
  const cmd = program()
  try {
    await parseServerCommandLine(cmd, argv)
    const file = cmd.args[0] as string
    const opts = cmd.opts<Options>()
    const workers = opts.workers ?? 1
    if (cluster.isPrimary && workers > 1 && opts.validate !== true) {
      const { config } = await load(file, log)
      // The admin's worker reads the token; reading it here too fails the start at once.
      if (config.admin.auth.control !== undefined) readToken(config.admin.auth.control)
      return supervise(workers, log)
    }
    const { config, raw } = await load(file, log)
    if (opts.validate === true) {
      process.stdout.write(`${file}: valid (${config.routers.length} router(s))\n`)
      return
    }
    await serve(config, raw, log, (process.env['ROUTER_WORKER_INDEX'] ?? '0') === '0')
  } catch (e) {
    process.exitCode = reportFailure('router', e)
    // A cluster worker's IPC channel would keep it alive; its supervisor decides what follows.
    if (cluster.isWorker) process.exit(process.exitCode)
  }
}
