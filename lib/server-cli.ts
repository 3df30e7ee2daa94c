/**
 * The command line of a server run on one config file, as `router` and `namerd` are (lib/cli.ts
 * holds what namerctl shares too; this file loads the logger, which namerctl does not need).
 */
import { Command } from 'commander'
import {
  exitWhenStdoutCloses,
  helpSections,
  linkerdFlags,
  ourProgram,
  parseCommandLine,
} from './cli.js'
import { LOG_LEVELS } from './log.js'

export interface ServerProgram {
  /** `router`, `namerd`: the command's name and the prefix of its messages. */
  readonly name: string
  readonly description: string
  /** What the config file is, for the help. */
  readonly config: string
  /** What exit status 1 covers, after `failure: `. */
  readonly failures: string
  /** Paths from the package root, for the help. */
  readonly docs: readonly string[]
}

/**
 * `<name> CONFIG [--validate]` (`-validate` too, as linkerd spells it), with our error style,
 * `--version`, and a help that names `LOG_LEVEL`, the exit statuses and the docs. A program adds
 * its own options to the command returned.
 */
export function serverProgram(spec: ServerProgram): Command {
  const help = helpSections({
    environment: [
      [
        'LOG_LEVEL',
        `least level of the JSON log lines written on standard error:\n${LOG_LEVELS.join(', ')} (default info)`,
      ],
    ],
    exitStatuses: [
      [0, 'stopped as asked (SIGTERM, SIGINT, POST /admin/shutdown), or --validate: valid'],
      [1, `failure: ${spec.failures}`],
      [2, 'usage: bad arguments or flags'],
    ],
    docs: spec.docs,
  })
  const cmd = new Command(spec.name)
    .description(spec.description)
    .argument('<config>', `${spec.config} (YAML or JSON), or - for standard input`)
    .option('--validate', 'check the config file and exit (status 0 if valid); also -validate')
    .addHelpText('after', help)
  return ourProgram(cmd)
}

/**
 * Parses a server's command line: `parseCommandLine` after linkerd's `-validate` spelling; a
 * closed standard output (`router --help | head`) ends the process quietly.
 */
export function parseServerCommandLine(cmd: Command, argv: readonly string[]): Promise<void> {
  exitWhenStdoutCloses()
  return parseCommandLine(cmd, linkerdFlags(argv, ['validate']))
}
