import { reportFailure } from '../lib/cli.js'
import { parseServerCommandLine, serverProgram } from '../lib/server-cli.js'
import { createLog, type Log } from '../lib/log.js'
import { readConfigFile } from '../lib/config/file.js'
import { BearerGuard } from '../lib/auth/bearer.js'
import { startNamerdAdmin } from './admin.js'
import { parseNamerdConfig } from './config.js'
import { startNamerd } from './start.js'

/**
 * `namerd CONFIG [--validate]`: serves the dtab store and the name API until SIGTERM, SIGINT or
 * `POST /admin/shutdown`, then closes everything and exits. Exit status 1 on a failure to start,
 * 2 on a usage error.
 */
export async function main(argv: readonly string[]): Promise<void> {
  const log = createLog({ name: 'namerd' })
  const cmd = serverProgram({
    name: 'namerd',
    description: "Serve dtabs from a store behind namerd's HTTP API (linkerd 1 config files).",
    config: 'namerd config file',
    failures: 'invalid config, a port in use, a store that cannot start, or a bug',
    docs: ['README.md', 'docs/namerd.md', 'docs/operations.md', 'docs/errors.md'],
  })
  try {
    await parseServerCommandLine(cmd, argv)
    const file = cmd.args[0] as string
    const raw = await readConfigFile(file)
    const config = parseNamerdConfig(raw)
    for (const w of config.warnings) log.warn(w)
    if (cmd.opts<{ validate?: boolean }>().validate === true) {
      process.stdout.write(`${file}: valid (storage ${config.storage.kind})\n`)
      return
    }
    await serve(config, raw, log)
  } catch (e) {
    const status = reportFailure('namerd', e)
    // A failure to start may leave a store client or a listener open: exit now.
    if (status === 1) process.exit(1)
    process.exitCode = status
  }
}

async function serve(
  config: ReturnType<typeof parseNamerdConfig>,
  raw: unknown,
  log: Log,
): Promise<void> {
  // Read before anything listens: a token that cannot be read stops the start.
  const source = config.admin.auth.control
  const control =
    source === undefined
      ? undefined
      : new BearerGuard(source, { onReloadError: (message) => log.warn(message) })
  const running = await startNamerd(config, log)
  let stopping = false
  const shutdown = (): void => {
    if (stopping) return
    stopping = true
    log.info('shutting down')
    void Promise.allSettled([running.close(), admin.close()]).then(() => {
      log.info('stopped')
      process.exit(0)
    })
  }
  const admin = await startNamerdAdmin({
    ip: config.admin.ip,
    port: config.admin.port,
    isReady: () => !stopping && running.store.loaded,
    metrics: running.metrics,
    config: raw,
    shutdown,
    log,
    ...(config.admin.tls === undefined ? {} : { tls: config.admin.tls }),
    control,
    api: running.api,
  }).catch(async (e: unknown) => {
    await running.close()
    throw e
  })
  process.once('SIGTERM', shutdown)
  process.once('SIGINT', shutdown)
  for (const [i, api] of running.apis.entries()) {
    const where = config.interfaces[i]
    log.info('listening', { interface: where?.kind, ip: where?.ip, port: api.port })
  }
  log.info('admin listening', { ip: config.admin.ip, port: admin.port })
}
