import { Command, CommanderError } from 'commander'
import { CodedError, errorMessage } from '../lib/errors.js'
import { addOfflineCommands, type Output } from './dtab-offline.js'

/** Exit statuses: 1 for a failed command (bad input, resolution error), 2 for bad usage. */
const EXIT_FAILURE = 1
const EXIT_USAGE = 2

function program(): Command {
  const root = new Command('namerctl')
    .description('Operate dtabs: format, check and resolve them offline, or manage them in namerd.')
    .exitOverride()
    .showHelpAfterError()
  const dtab = root.command('dtab').description('dtab commands').exitOverride()
  addOfflineCommands(dtab, async (make) => report(await make()))
  return root
}

function report(out: Output): void {
  process.stdout.write(out.stdout)
  if (out.exitCode !== undefined) process.exitCode = out.exitCode
}

/** Runs namerctl with `argv` (without node and script); sets `process.exitCode`. */
export async function main(argv: readonly string[]): Promise<void> {
  try {
    await program().parseAsync([...argv], { from: 'user' })
  } catch (e) {
    if (e instanceof CommanderError) {
      process.exitCode = e.exitCode === 0 ? 0 : EXIT_USAGE
      return
    }
    process.stderr.write(`namerctl: ${errorMessage(e)}\n`)
    if (!(e instanceof CodedError)) process.stderr.write(`${(e as Error).stack ?? ''}\n`)
    process.exitCode = EXIT_FAILURE
  }
}
