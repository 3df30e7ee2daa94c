import type { Command } from 'commander'
import type { CliContext } from './context.js'
import { bindCommand, delegateCommand } from './dtab-offline.js'
import { UsageError } from './errors.js'
import { DEFAULT_NAMESPACE, bindOnline, delegateOnline } from './resolve-online.js'

interface ResolveFlags {
  dtabFile?: string
  fsRoot?: string
  dtab?: string
  json?: boolean
}

const MODES = {
  delegate: { offline: delegateCommand, online: delegateOnline },
  bind: { offline: bindCommand, online: bindOnline },
} as const

/**
 * The arguments of `delegate`/`bind`: with `--dtab-file`, the offline mode (PATH only);
 * otherwise online, `[NAME] PATH` with NAME `default` when left out.
 */
export function resolveArgs(
  first: string,
  second: string | undefined,
  flags: ResolveFlags,
):
  | { mode: 'offline'; path: string; dtabFile: string }
  | { mode: 'online'; name: string; path: string } {
  if (flags.dtabFile !== undefined) {
    if (second !== undefined)
      throw new UsageError('with --dtab-file (offline) give only PATH; without it, NAME PATH')
    if (flags.dtab !== undefined)
      throw new UsageError('--dtab is sent to namerd; offline, put the dentries in --dtab-file')
    return { mode: 'offline', path: first, dtabFile: flags.dtabFile }
  }
  if (flags.fsRoot !== undefined) throw new UsageError('--fs-root needs --dtab-file (offline)')
  if (second === undefined) return { mode: 'online', name: DEFAULT_NAMESPACE, path: first }
  return { mode: 'online', name: first, path: second }
}

/** Adds `delegate` and `bind`: offline with `--dtab-file`, else asking namerd. */
export function addResolveCommands(dtab: Command, cx: CliContext): void {
  for (const [name, what] of [
    ['delegate', 'explain, step by step, how PATH is rewritten and bound'],
    ['bind', 'show the bound tree PATH resolves to, with endpoints'],
  ] as const) {
    dtab
      .command(name)
      .description(`${what} (namerd's NAME, default "default"; or offline with --dtab-file)`)
      .usage('[options] [NAME] PATH')
      .argument('<name-or-path>', 'NAME, the dtab (namespace) in namerd, then PATH; or PATH alone')
      .argument('[path]', 'the logical name, e.g. /svc/users')
      .option('--dtab <dtab>', 'dentries added for this request only (online)')
      .option('--dtab-file <file>', 'offline: the dtab to use (- for standard input)')
      .option('--fs-root <dir>', 'offline: root directory of an io.l5d.fs namer at /#/io.l5d.fs')
      .option('--json', "print exactly namerd's /api/1/" + name + ' body')
      .action((a: string, b: string | undefined, flags: ResolveFlags, cmd: Command) =>
        cx.run(() => {
          const args = resolveArgs(a, b, flags)
          if (args.mode === 'offline') {
            const { fsRoot, json } = flags
            return MODES[name].offline(args.path, { dtabFile: args.dtabFile, fsRoot, json })
          }
          return MODES[name].online(cx.namerd(cmd), args.name, args.path, flags)
        }),
      )
  }
}
