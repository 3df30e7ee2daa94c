import { InvalidArgumentError, type Command } from 'commander'
import type { CliContext } from './context.js'
import { setCommand, rmEntryCommand } from './dtab-cas.js'
import { createCommand, deleteCommand, getCommand, listCommand } from './dtab-online.js'
import { shiftCommand, type ShiftFlags } from './canary/command.js'
import { openFigureSource } from './canary/sources.js'
import { historyCommand, rollbackCommand, type RollbackOptions } from './dtab-history.js'
import { diffCommand, updateCommand, type UpdateOptions } from './dtab-update.js'
import { watchCommand } from './watch.js'

type Json = { json?: boolean }
type Noted = Json & { message?: string }
const JSON_HELP = 'print JSON'
const MESSAGE = ['-m, --message <text>', "why: kept in the dtab's history (dtab history)"] as const

/**
 * Adds the namerd commands (list, get, create, update, delete, diff, set, rm-entry, watch,
 * history, rollback).
 */
export function addOnlineCommands(dtab: Command, cx: CliContext): void {
  addReadCommands(dtab, cx)
  addWriteCommands(dtab, cx)
  addEditCommands(dtab, cx)
  addHistoryCommands(dtab, cx)
  addShiftCommand(dtab, cx)
}

function addReadCommands(dtab: Command, cx: CliContext): void {
  dtab
    .command('list')
    .alias('ls')
    .description('list the names of the dtabs stored in namerd')
    .option('--json', 'print the JSON list')
    .action((opts: Json, cmd: Command) => cx.run(() => listCommand(cx.namerd(cmd), opts)))
  dtab
    .command('get')
    .alias('cat')
    .description("print a stored dtab and its version (linkerd's aligned form)")
    .argument('<name>', 'the dtab (namespace)')
    .option('--pretty', 'aligned, one dentry per line, after "# version V" (the default)')
    .option('--no-pretty', 'one line, p=>d;p2=>d2; (also --pretty=false)')
    .option('--json', 'print {"version","dtab":[{"prefix","dst"}]}')
    .action((name: string, opts: Json & { pretty?: boolean }, cmd: Command) =>
      cx.run(() => getCommand(cx.namerd(cmd), name, { ...opts, pretty: opts.pretty !== false })),
    )
  dtab
    .command('watch')
    .description('print the dtab and then each new version until interrupted')
    .argument('<name>', 'the dtab (namespace)')
    .option('--json', 'print each {"version","dtab"} document as namerd sends it')
    .action((name: string, opts: Json, cmd: Command) =>
      cx.run(() => watchCommand(cx.namerd(cmd), name, opts, cx.watchIo())),
    )
  dtab
    .command('diff')
    .description('show what `update NAME FILE` would change, dentry by dentry')
    .argument('<name>', 'the dtab (namespace)')
    .argument('<file>', 'dtab text or JSON, or - for standard input')
    .option('--exit-code', 'exit 1 if there are changes (as git diff)')
    .option('--json', 'print {"from":"<version>","changes":[{"op","dentry"}]}')
    .action((name: string, file: string, opts: Json & { exitCode?: boolean }, cmd: Command) =>
      cx.run(() => diffCommand(cx.namerd(cmd), name, file, opts)),
    )
}

function addWriteCommands(dtab: Command, cx: CliContext): void {
  dtab
    .command('create')
    .alias('new')
    .description('create a dtab from a file (dtab text or JSON), checked before sending')
    .argument('<name>', 'the dtab (namespace)')
    .argument('<file>', 'dtab text or JSON, or - for standard input')
    .option(...MESSAGE)
    .option('--json', JSON_HELP)
    .action((name: string, file: string, opts: Noted, cmd: Command) =>
      cx.run(() => createCommand(cx.namerd(cmd), name, file, opts)),
    )
  dtab
    .command('update')
    .alias('up')
    .description('replace a dtab, only if nobody changed it since the version read')
    .argument('<name>', 'the dtab (namespace)')
    .argument('<file>', 'dtab text or JSON, or - for standard input')
    .option(
      '--version <version>',
      "update only if this is the current version (a JSON file's version wins)",
    )
    .option('--force', 'overwrite whatever is stored (creates the dtab if absent)')
    .option('--dry-run', 'print the diff and what it does to the live names; change nothing')
    .option(...MESSAGE)
    .option('--json', JSON_HELP)
    .action((name: string, file: string, opts: UpdateOptions, cmd: Command) =>
      cx.run(() => updateCommand(cx.namerd(cmd), name, file, opts)),
    )
  dtab
    .command('delete')
    .aliases(['del', 'rm'])
    .description('delete a dtab')
    .argument('<name>', 'the dtab (namespace)')
    .option(...MESSAGE)
    .option('--json', JSON_HELP)
    .action((name: string, opts: Noted, cmd: Command) =>
      cx.run(() => deleteCommand(cx.namerd(cmd), name, opts)),
    )
}

function addEditCommands(dtab: Command, cx: CliContext): void {
  dtab
    .command('set')
    .description(
      'set the destination of one prefix (replaces the last dentry with it, else appends)',
    )
    .argument('<name>', 'the dtab (namespace)')
    .argument('<prefix>', 'the dentry prefix, e.g. /svc/users')
    .argument('<dst>', 'the destination, e.g. "90 * /srv/users-v1 & 10 * /srv/users-v2"')
    .option('--create', 'create the dtab if it does not exist')
    .option('--dry-run', 'print the diff and what it does to the live names; change nothing')
    .option(...MESSAGE)
    .option('--json', JSON_HELP)
    .action(
      (
        name: string,
        prefix: string,
        dst: string,
        opts: Noted & { create?: boolean; dryRun?: boolean },
        cmd: Command,
      ) => cx.run(() => setCommand(cx.namerd(cmd), name, prefix, dst, opts)),
    )
  dtab
    .command('rm-entry')
    .description('remove every dentry with this prefix')
    .argument('<name>', 'the dtab (namespace)')
    .argument('<prefix>', 'the dentry prefix, e.g. /svc/users')
    .option(...MESSAGE)
    .option('--json', JSON_HELP)
    .action((name: string, prefix: string, opts: Noted, cmd: Command) =>
      cx.run(() => rmEntryCommand(cx.namerd(cmd), name, prefix, opts)),
    )
}

function addHistoryCommands(dtab: Command, cx: CliContext): void {
  dtab
    .command('history')
    .alias('log')
    .description("a dtab's past versions, newest first: when, by whom, why, what changed")
    .argument('<name>', 'the dtab (namespace)')
    .option('-n, --limit <count>', 'only the newest COUNT', positiveInteger)
    .option('--json', 'print [{"version","dtab","at","by","message","changes"}], newest first')
    .action((name: string, opts: Json & { limit?: number }, cmd: Command) =>
      cx.run(() => historyCommand(cx.namerd(cmd), name, opts)),
    )
  dtab
    .command('rollback')
    .description(
      'write a past version back (default: the one before the current), only if nobody changed it since it was read',
    )
    .argument('<name>', 'the dtab (namespace)')
    .option('--to <version>', 'the version to go back to (from dtab history)')
    .option('--force', 'write it whatever the current version is')
    .option(...MESSAGE)
    .option('--json', JSON_HELP)
    .action((name: string, opts: RollbackOptions, cmd: Command) =>
      cx.run(() => rollbackCommand(cx.namerd(cmd), name, opts)),
    )
}

function positiveInteger(v: string): number {
  const n = Number(v)
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected an integer > 0')
  return n
}

function addShiftCommand(dtab: Command, cx: CliContext): void {
  dtab
    .command('shift')
    .description(
      "walk PREFIX's traffic to --to DST step by step, judging the canary against the baseline before each step; rolled back on a failed gate (docs/canary.md)",
    )
    .argument('<name>', 'the dtab (namespace)')
    .argument('[prefix]', 'the dentry prefix, e.g. /svc/users (not with --resume)')
    .option('--to <dst>', 'the canary, e.g. /srv/users-v2')
    .option('--from <dst>', "the baseline (default: PREFIX's destination now)")
    .option('--steps <list>', 'percentages of traffic to the canary, in order', '1,5,25,50,100')
    .option('--interval <duration>', 'how long each step is watched: 30s, 500ms, 2m', '30s')
    .option(
      '--gate <rule>',
      'a gate (repeatable; docs/canary.md), e.g. "p99 <= 2 * baseline"',
      collect,
    )
    .option(
      '--max-waits <count>',
      'intervals without enough canary requests before rolling back',
      positiveInteger,
    )
    .option('--admin <url...>', "the routers' admin URLs to read figures from")
    .option(
      '--admin-path <path>',
      "a namer path naming the routers' admin servers (bound by namerd in NAME at each step)",
    )
    .option('--prometheus <url>', 'a Prometheus server scraping the routers, to read figures from')
    .option('--resume', 'finish the shift the history shows stopped half-way')
    .option(
      '--dry-run',
      "print the steps, and what the first would move for the routers' live names",
    )
    .option('--json', 'print one JSON event per line')
    .action((name: string, prefix: string | undefined, opts: ShiftFlags, cmd: Command) => {
      const io = cx.watchIo()
      const live = process.stdout.isTTY === true
      const screen = { out: io.out, live, json: opts.json === true }
      return cx.run(() =>
        shiftCommand(cx.namerd(cmd), name, prefix, opts, {
          screen,
          signal: io.signal,
          openSource: (flags) => openFigureSource(flags, cx.namerd(cmd), name),
        }),
      )
    })
}

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value]
}
