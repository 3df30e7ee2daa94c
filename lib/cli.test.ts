import test from 'ava'
import { Command, CommanderError } from 'commander'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import {
  failureReport,
  helpSections,
  linkerdFlags,
  ourProgram,
  packageRoot,
  packageVersion,
  parseCommandLine,
} from './cli.js'
import { CodedError } from './errors.js'

class TestError extends CodedError {
  readonly code = 'ERR_TEST'
}

test('packageVersion is the version in the package.json at the package root', (t) => {
  const pkg = JSON.parse(readFileSync(join(packageRoot, 'package.json'), 'utf8')) as {
    name: string
    version: string
  }
  t.is(pkg.name, 'dtab-router')
  t.regex(pkg.version, /^\d+\.\d+\.\d+/)
  t.is(packageVersion(), pkg.version)
})

test('a CodedError is one prefixed line; its status from statusOf, else 1', (t) => {
  const e = new TestError('config.yaml: routers[0]: missing')
  t.deepEqual(failureReport('router', e), {
    status: 1,
    text: 'router: config.yaml: routers[0]: missing\n',
  })
  t.is(failureReport('namerctl', e, () => 7).status, 7)
})

test('anything else is a bug: the message, then the stack, status 1', (t) => {
  const r = failureReport('namerd', new TypeError('x is undefined'))
  t.is(r.status, 1)
  t.true(r.text.startsWith('namerd: x is undefined\nTypeError: x is undefined\n    at '), r.text)
  t.deepEqual(failureReport('namerd', 'a string'), { status: 1, text: 'namerd: a string\n' })
})

test("commander's errors: already written, status 2; help and version status 0", (t) => {
  const unknown = new CommanderError(1, 'commander.unknownOption', "error: unknown option '-x'")
  t.deepEqual(failureReport('router', unknown), { status: 2, text: '' })
  const help = new CommanderError(0, 'commander.helpDisplayed', '(outputHelp)')
  t.deepEqual(failureReport('router', help), { status: 0, text: '' })
  const version = new CommanderError(0, 'commander.version', 'router 0.1.0')
  t.deepEqual(failureReport('router', version), { status: 0, text: '' })
  // Shown with help on standard error when a command is missing: a usage error.
  const missing = new CommanderError(1, 'commander.help', '(outputHelp)')
  t.deepEqual(failureReport('namerctl', missing), { status: 2, text: '' })
})

test('a CommanderError thrown by our own code is written here, prefixed', (t) => {
  const ours = new CommanderError(2, 'usage', 'error: --workers: expected an integer')
  t.deepEqual(failureReport('router', ours), {
    status: 2,
    text: 'router: --workers: expected an integer\n',
  })
})

/** A program with a subcommand that has its own `--version <v>` (as namerctl's update). */
function tool(written: string[]): { cmd: Command; seen: () => unknown } {
  let seen: unknown
  const cmd = new Command('tool').option('--flag')
  cmd
    .command('sub')
    .argument('<x>')
    .option('--version <v>')
    .action((_x: string, opts: { version?: string }) => void (seen = opts.version))
  ourProgram(cmd)
  for (const c of [cmd, ...cmd.commands]) c.configureOutput({ writeErr: (s) => written.push(s) })
  return { cmd, seen: () => seen }
}

test('ourProgram: a usage error is one prefixed line naming the help to read', async (t) => {
  const written: string[] = []
  const { cmd } = tool(written)
  const e = await t.throwsAsync(parseCommandLine(cmd, ['--frob']), { instanceOf: CommanderError })
  t.is(failureReport('tool', e).status, 2)
  await t.throwsAsync(parseCommandLine(cmd, ['sub']), { instanceOf: CommanderError })
  t.deepEqual(written, [
    "tool: unknown option '--frob' (see tool --help)\n",
    "tool: missing required argument 'x' (see tool sub --help)\n",
  ])
})

test('--version before any argument is the version; after a subcommand, its own option', async (t) => {
  const { cmd, seen } = tool([])
  const out: string[] = []
  const write = process.stdout.write.bind(process.stdout)
  process.stdout.write = ((s: string) => out.push(s) > 0) as typeof process.stdout.write
  try {
    for (const argv of [['--version'], ['--flag', '--version', 'sub', 'x']]) {
      const e = await t.throwsAsync(parseCommandLine(cmd, argv), { instanceOf: CommanderError })
      t.is(failureReport('tool', e).status, 0)
    }
  } finally {
    process.stdout.write = write
  }
  t.deepEqual(out, [`tool ${packageVersion()}\n`, `tool ${packageVersion()}\n`])
  await parseCommandLine(cmd, ['sub', 'x', '--version', '3'])
  t.is(seen(), '3')
  t.regex(cmd.helpInformation(), /^ {2}--version +print the version and exit$/m)
  t.notRegex(cmd.commands[0]?.helpInformation() ?? '', /print the version/)
})

test('linkerdFlags: -validate is --validate, other flags and anything after -- untouched', (t) => {
  t.deepEqual(linkerdFlags(['-validate', 'a.yaml'], ['validate']), ['--validate', 'a.yaml'])
  t.deepEqual(linkerdFlags(['--validate', '-v', '-validated'], ['validate']), [
    '--validate',
    '-v',
    '-validated',
  ])
  t.deepEqual(linkerdFlags(['--', '-validate'], ['validate']), ['--', '-validate'])
})

test('helpSections: environment aligned, exit statuses in order, docs as paths that exist', (t) => {
  const text = helpSections({
    environment: [
      ['LOG_LEVEL', 'least level:\nerror, info'],
      ['X', 'one\ntwo'],
    ],
    exitStatuses: [
      [0, 'ok'],
      [2, 'usage'],
    ],
    docs: ['README.md', 'docs/errors.md'],
  })
  const lines = text.split('\n')
  t.true(lines.includes('  LOG_LEVEL  least level:'))
  t.true(lines.includes('             error, info'))
  t.true(lines.includes('  X          one'))
  t.true(lines.includes('             two'))
  const statuses = lines.slice(
    lines.indexOf('Exit statuses:') + 1,
    lines.indexOf('Exit statuses:') + 3,
  )
  t.deepEqual(statuses, ['  0  ok', '  2  usage'])
  const docs = lines.slice(lines.indexOf('Documentation:') + 1).map((l) => l.trim())
  t.deepEqual(docs, [join(packageRoot, 'README.md'), join(packageRoot, 'docs/errors.md')])
  for (const doc of docs) t.notThrows(() => readFileSync(doc))
})
