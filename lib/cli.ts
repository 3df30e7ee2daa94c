/**
 * What the three programs (`router`, `namerd`, `namerctl`) share on the command line: one error
 * style (`<program>: <message>` on standard error), one mapping from a failure to an exit status,
 * `--version`, and the `--help` sections that say where the rest is documented.
 */
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { Command, CommanderError, Help, Option } from 'commander'
import { CodedError, errorMessage } from './errors.js'

/** Exit statuses every program gives: success, a failure, a usage error. */
export const EXIT = { OK: 0, FAILURE: 1, USAGE: 2 } as const

/** The package's root directory (this file is `dist/lib/cli.js` once built). */
export const packageRoot = fileURLToPath(new URL('../../', import.meta.url))

/** The `version` of the package's own package.json, read when called. */
export function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(`${packageRoot}package.json`, 'utf8')) as {
    version?: unknown
  }
  return typeof pkg.version === 'string' ? pkg.version : 'unknown'
}

/**
 * Makes `cmd` (named as the program) one of our programs: commander throws a `CommanderError`
 * instead of exiting, and its error messages, on `cmd` and every subcommand added so far, are
 * one line on standard error: `<program>: unknown option '--frob' (see <program> <sub> --help)`.
 * Its help lists `--version`, which `parseCommandLine` handles.
 */
export function ourProgram(cmd: Command): Command {
  oneLineErrors(cmd, cmd.name(), cmd.name())
  const version = new Option('--version', 'print the version and exit')
  cmd.configureHelp({
    visibleOptions(this: Help, c: Command): Option[] {
      const options = Help.prototype.visibleOptions.call(this, c)
      if (c !== cmd) return options
      const help = options.filter((o) => o.long === '--help')
      return [...options.filter((o) => o.long !== '--help'), version, ...help]
    },
  })
  return cmd
}

/**
 * Parses `argv` (without node and the script) with `cmd`. A `--version` among the options before
 * the first argument that is not one prints `<program> <version>` and ends like commander's own
 * (`CommanderError` with status 0). It is not a commander option because a program-level option
 * is recognised after a subcommand too, where it would take namerctl's `update --version V`.
 */
export async function parseCommandLine(cmd: Command, argv: readonly string[]): Promise<void> {
  const end = argv.findIndex((arg) => !arg.startsWith('-') || arg === '--')
  if (argv.slice(0, end === -1 ? argv.length : end).includes('--version')) {
    process.stdout.write(`${cmd.name()} ${packageVersion()}\n`)
    throw new CommanderError(0, 'commander.version', packageVersion())
  }
  await cmd.parseAsync(argv, { from: 'user' })
}

function oneLineErrors(cmd: Command, name: string, path: string): void {
  cmd.exitOverride().configureOutput({
    outputError: (text, write) =>
      write(`${name}: ${text.replace(/^error: /, '').trimEnd()} (see ${path} --help)\n`),
  })
  for (const sub of cmd.commands) oneLineErrors(sub, name, `${path} ${sub.name()}`)
}

/**
 * Ends the process quietly (with the exit status so far) when standard output's reader goes
 * away: `namerctl dtab list | head -1`, `router --help | head`. Without it, the write error is an
 * uncaught exception with a stack.
 */
export function exitWhenStdoutCloses(): void {
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0)
  })
}

/** A failure as a program reports it: what to write on standard error, and the exit status. */
export interface FailureReport {
  readonly text: string
  readonly status: number
}

/**
 * The report of anything a program's `main` caught:
 * - a `CommanderError`: `--help` or `--version` shown (status 0), else a usage error (status 2).
 *   Commander's own (`commander.*` codes) were written by `ourProgram`'s hook; one thrown by our
 *   code is written here as `<name>: <message>`.
 * - a `CodedError`: `<name>: <message>`, status `statusOf(e)` (default 1).
 * - anything else (a bug): the message and the stack, status 1.
 */
export function failureReport(
  name: string,
  e: unknown,
  statusOf: (e: CodedError) => number = () => EXIT.FAILURE,
): FailureReport {
  if (e instanceof CommanderError) {
    const status = e.exitCode === 0 ? EXIT.OK : EXIT.USAGE
    const written = e.code.startsWith('commander.')
    return { status, text: written ? '' : `${name}: ${e.message.replace(/^error: /, '')}\n` }
  }
  if (e instanceof CodedError) return { status: statusOf(e), text: `${name}: ${e.message}\n` }
  const stack = e instanceof Error && e.stack !== undefined ? `${e.stack}\n` : ''
  return { status: EXIT.FAILURE, text: `${name}: ${errorMessage(e)}\n${stack}` }
}

/** Writes `failureReport(name, e, statusOf)` on standard error; returns its exit status. */
export function reportFailure(
  name: string,
  e: unknown,
  statusOf?: (e: CodedError) => number,
): number {
  const report = failureReport(name, e, statusOf)
  process.stderr.write(report.text)
  return report.status
}

/**
 * linkerd's single-dash spelling of long flags (`-validate`, as Go's flag package allows) as
 * commander's `--validate`, for the flags in `names`; arguments after `--` are left alone.
 */
export function linkerdFlags(argv: readonly string[], names: readonly string[]): string[] {
  const end = argv.indexOf('--')
  return argv.map((arg, i) =>
    (end === -1 || i < end) && names.some((n) => arg === `-${n}`) ? `-${arg}` : arg,
  )
}

/** What `--help` ends with: the environment a program reads, its exit statuses, its docs. */
export interface HelpSections {
  /** `[variable, what it does]`; a `\n` in the text continues it on an indented line. */
  readonly environment: readonly (readonly [string, string])[]
  /** `[status, meaning]`, in order */
  readonly exitStatuses: readonly (readonly [number, string])[]
  /** Paths from the package root: `README.md`, `docs/namerd.md`. */
  readonly docs: readonly string[]
}

/** The sections of `help` as text for commander's `addHelpText('after', …)`. */
export function helpSections(help: HelpSections): string {
  const width = Math.max(...help.environment.map(([name]) => name.length))
  return [
    '',
    'Environment:',
    ...help.environment.map(
      ([name, what]) =>
        `  ${name.padEnd(width)}  ${what.replaceAll('\n', `\n  ${' '.repeat(width)}  `)}`,
    ),
    '',
    'Exit statuses:',
    ...help.exitStatuses.map(([status, meaning]) => `  ${status}  ${meaning}`),
    '',
    'Documentation:',
    ...help.docs.map((doc) => `  ${packageRoot}${doc}`),
  ].join('\n')
}
