import { Command, CommanderError } from 'commander'
import { CodedError, errorMessage } from '../lib/errors.js'
import { createLog, type Log } from '../lib/log.js'
import { readConfigFile } from '../lib/config/file.js'
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
  // linkerd's namerd spells it `-validate`.
  const args = argv.map((a) => (a === '-validate' ? '--validate' : a))
  const program = new Command('namerd')
    .argument('<config>', 'namerd config file (YAML or JSON), or - for standard input')
    .option('--validate', 'check the config file and exit (status 0 if valid)')
    .exitOverride()
  try {
    await program.parseAsync(args, { from: 'user' })
    const file = program.args[0] as string
    const raw = await readConfigFile(file)
    const config = parseNamerdConfig(raw)
    for (const w of config.warnings) log.warn(w)
    if (program.opts<{ validate?: boolean }>().validate === true) {
      process.stdout.write(`${file}: valid (storage ${config.storage.kind})\n`)
      return
    }
    await serve(config, raw, log)
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'usage') process.stderr.write(`namerd: ${e.message}\n`)
      process.exitCode = e.exitCode === 0 ? 0 : 2
      return
    }
    process.stderr.write(`namerd: ${errorMessage(e)}\n`)
    if (!(e instanceof CodedError)) process.stderr.write(`${(e as Error).stack ?? ''}\n`)
    process.exit(1)
  }
}

async function serve(
  config: ReturnType<typeof parseNamerdConfig>,
  raw: unknown,
  log: Log,
): Promise<void> {
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
