import { Command, InvalidArgumentError } from 'commander'
import { exitWhenStdoutCloses, ourProgram, parseCommandLine, reportFailure } from '../lib/cli.js'
import { DEFAULT_TIMEOUT_MS, type Namerd } from './client.js'
import { addOnlineCommands } from './commands.js'
import { BASE_URL_ENV, resolveBaseUrl } from './config.js'
import type { CliContext } from './context.js'
import { addOfflineCommands, type Output } from './dtab-offline.js'
import { exitStatusOf } from './exit.js'
import { helpEpilogue } from './help.js'
import { addResolveCommands } from './resolve-commands.js'
import { resolveTls } from './tls.js'
import { resolveToken, TOKEN_ENV } from './token.js'
import type { WatchIo } from './watch.js'

interface GlobalFlags {
  baseUrl?: string
  config?: string
  timeoutMs?: number
  tokenFile?: string
  tlsCa?: string
  tlsCert?: string
  tlsKey?: string
}

function positiveInt(value: string): number {
  const n = Number(value)
  if (!Number.isSafeInteger(n) || n <= 0)
    throw new InvalidArgumentError('expected milliseconds > 0')
  return n
}

function program(cx: CliContext): Command {
  const root = new Command('namerctl')
    .description('Operate dtabs: format, check and resolve them offline, or manage them in namerd.')
    .option('--base-url <url>', 'namerd location, e.g. http://namerd.example.com:4180')
    .option(
      '--config <file>',
      'config file with base-url, token-file, tls-ca, tls-cert, tls-key (instead of searching for .namerctl.*)',
    )
    .option('--token-file <file>', 'file holding the bearer token namerd asks for')
    .option('--tls-ca <file>', "CA certificate(s) (PEM) that sign namerd's, for https://")
    .option('--tls-cert <file>', 'client certificate (PEM) for namerd over mutual TLS')
    .option('--tls-key <file>', "the client certificate's key (PEM)")
    .option('--timeout-ms <ms>', `per-request timeout (default ${DEFAULT_TIMEOUT_MS})`, positiveInt)
    .addHelpText('after', helpEpilogue())
  const dtab = root
    .command('dtab')
    .description('dtab commands')
    .addHelpText('after', helpEpilogue())
  addOnlineCommands(dtab, cx)
  addResolveCommands(dtab, cx)
  addOfflineCommands(dtab, cx.run)
  // Usage errors as one line, `namerctl: <message> (see namerctl dtab get --help)`; exit 2.
  return ourProgram(root)
}

function report(out: Output): void {
  process.stdout.write(out.stdout)
  if (out.exitCode !== undefined) process.exitCode = out.exitCode
}

function namerdOf(cmd: Command): Namerd {
  const flags = cmd.optsWithGlobals<GlobalFlags>()
  const base = resolveBaseUrl({
    flag: flags.baseUrl,
    env: process.env[BASE_URL_ENV],
    configFile: flags.config,
    cwd: process.cwd(),
  })
  const token = resolveToken({
    flag: flags.tokenFile,
    env: process.env[TOKEN_ENV],
    configFile: flags.config,
    cwd: process.cwd(),
  })
  const tls = resolveTls(base, {
    flags: { ca: flags.tlsCa, cert: flags.tlsCert, key: flags.tlsKey },
    configFile: flags.config,
    cwd: process.cwd(),
  })
  return { base, timeoutMs: flags.timeoutMs ?? DEFAULT_TIMEOUT_MS, token, tls }
}

/** stdout/stderr, and a signal aborted by SIGINT or SIGTERM (a watch then ends with status 0). */
function watchIo(): WatchIo {
  const ac = new AbortController()
  const stop = (): void => ac.abort()
  process.once('SIGINT', stop).once('SIGTERM', stop)
  return {
    out: (text) => process.stdout.write(text),
    err: (text) => process.stderr.write(text),
    signal: ac.signal,
  }
}

const context: CliContext = { run: async (make) => report(await make()), namerd: namerdOf, watchIo }

/**
 * linkerd's spellings, rewritten for commander: `--pretty=BOOL` (Go's bool syntax) as
 * `--pretty` / `--no-pretty`, and `dtab --json <command>` (a persistent flag of `dtab` there)
 * as `dtab <command> … --json`.
 */
export function normalizeArgs(argv: readonly string[]): string[] {
  return jsonAfterCommand(argv.map(prettyFlag))
}

function prettyFlag(arg: string): string {
  const m = /^--pretty=(.*)$/.exec(arg)
  if (m === null) return arg
  if (['1', 't', 'T', 'true', 'TRUE', 'True'].includes(m[1] ?? '')) return '--pretty'
  if (['0', 'f', 'F', 'false', 'FALSE', 'False'].includes(m[1] ?? '')) return '--no-pretty'
  return arg
}

function jsonAfterCommand(argv: string[]): string[] {
  const at = argv.indexOf('dtab')
  if (at === -1) return argv
  let end = at + 1
  while (end < argv.length && argv[end]?.startsWith('-') === true) end++
  const between = argv.slice(at + 1, end)
  if (!between.includes('--json') || end === argv.length) return argv
  const kept = between.filter((a) => a !== '--json')
  return [...argv.slice(0, at + 1), ...kept, ...argv.slice(end), '--json']
}

/** Runs namerctl with `argv` (without node and script); sets `process.exitCode`. */
export async function main(argv: readonly string[]): Promise<void> {
  exitWhenStdoutCloses()
  try {
    await parseCommandLine(program(context), normalizeArgs(argv))
  } catch (e) {
    process.exitCode = reportFailure('namerctl', e, exitStatusOf)
  }
}
