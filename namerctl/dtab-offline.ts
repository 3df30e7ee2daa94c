import type { Command } from 'commander'
import {
  boundTreeToJson,
  delegateTreeToJson,
  dtabToJson,
  showPathTree,
  showPrefix,
  type Dtab,
  type MountedNamer,
  type Path,
} from '../dtabs/index.js'
import { parseDtabText, parsePathArg, readInput } from './input.js'
import { bindOffline, delegateOffline, offlineNamers } from './offline.js'
import { renderBoundTree, renderDelegateTree } from './render.js'

/** What a command prints; `main` writes it. Commands never print or exit themselves. */
export interface Output {
  readonly stdout: string
  readonly exitCode?: number
}

/** One dentry per line, `prefix => dst;`, in canonical show form. */
export function formatDtab(dtab: Dtab): string {
  return dtab.map((d) => `${showPrefix(d.prefix)} => ${showPathTree(d.dst)};\n`).join('')
}

interface FmtOptions {
  json?: boolean
  check?: boolean
}

/** `namerctl dtab fmt [FILE|-]`. With `--check`, exit 1 (printing nothing) unless already canonical. */
export function fmtCommand(file: string, opts: FmtOptions): Output {
  const text = readInput(file)
  const dtab = parseDtabText(text, file === '-' ? '<stdin>' : file)
  const out = opts.json === true ? JSON.stringify(dtabToJson(dtab)) + '\n' : formatDtab(dtab)
  if (opts.check === true) return { stdout: '', exitCode: out === text ? 0 : 1 }
  return { stdout: out }
}

export interface ResolveOptions {
  dtabFile: string
  fsRoot?: string
  json?: boolean
}

/** Parses PATH and the dtab file, opens the offline namers, runs `resolve`, closes them. */
async function resolveOffline<T>(
  pathArg: string,
  opts: ResolveOptions,
  resolve: (dtab: Dtab, namers: MountedNamer[], path: Path) => Promise<T>,
): Promise<T> {
  const path = parsePathArg(pathArg)
  const dtab = parseDtabText(readInput(opts.dtabFile), opts.dtabFile)
  const { namers, close } = offlineNamers(opts.fsRoot)
  try {
    return await resolve(dtab, namers, path)
  } finally {
    close()
  }
}

/** `namerctl dtab delegate PATH --dtab-file FILE [--fs-root DIR] [--json]`. */
export async function delegateCommand(pathArg: string, opts: ResolveOptions): Promise<Output> {
  const tree = await resolveOffline(pathArg, opts, delegateOffline)
  if (opts.json === true) return { stdout: JSON.stringify(delegateTreeToJson(tree)) + '\n' }
  return { stdout: renderDelegateTree(tree).join('\n') + '\n' }
}

/** `namerctl dtab bind PATH --dtab-file FILE [--fs-root DIR] [--json]`. */
export async function bindCommand(pathArg: string, opts: ResolveOptions): Promise<Output> {
  const tree = await resolveOffline(pathArg, opts, bindOffline)
  if (opts.json === true) return { stdout: JSON.stringify(boundTreeToJson(tree)) + '\n' }
  return { stdout: [pathArg.trim(), ...renderBoundTree(tree, '  ')].join('\n') + '\n' }
}

/** Adds `fmt` to `namerctl dtab` (offline `delegate`/`bind` are in resolve-commands.ts). */
export function addOfflineCommands(
  dtab: Command,
  run: (out: () => Output | Promise<Output>) => Promise<void>,
): void {
  dtab
    .command('fmt')
    .description('print a dtab in canonical form, one dentry per line (FILE or - for stdin)')
    .argument('[file]', 'dtab file, or - for standard input', '-')
    .option('--json', 'print namerd\'s JSON form [{"prefix","dst"}]')
    .option('--check', 'print nothing; exit 1 unless the file is already canonical')
    .action((file: string, opts: FmtOptions) => run(() => fmtCommand(file, opts)))
}
