import type { Dtab } from '../dtabs/index.js'
import type { Namerd } from './client.js'
import { entriesToDtab, readDtab, updateDtab, type VersionedDtab } from './dtab-api.js'
import { formatDtab, type Output } from './dtab-offline.js'
import type { DtabInput } from './dtab-input.js'
import { done, dtabNotFound, mustRead, readDtabFile } from './dtab-online.js'
import { dentryLines, diffLines, differs } from '../dtabs/diff.js'
import { diffJson, renderDiff } from './diff.js'
import { NamerdError, UsageError } from './errors.js'
import { dryRunOutput } from './dry-run.js'

/** The diff from the stored dtab to `to`, as text or JSON; exit 1 with `exitCode` if they differ. */
function diffOutput(
  from: VersionedDtab,
  to: Dtab,
  opts: { json?: boolean; exitCode?: boolean },
): Output {
  const changes = diffLines(dentryLines(entriesToDtab(from.dtab)), dentryLines(to))
  const stdout = opts.json === true ? diffJson(from.version, changes) : renderDiff(changes)
  return opts.exitCode === true && differs(changes) ? { stdout, exitCode: 1 } : { stdout }
}

/** `dtab diff NAME FILE`: what `update` would change, dentry by dentry. */
export async function diffCommand(
  namerd: Namerd,
  name: string,
  file: string,
  opts: { json?: boolean; exitCode?: boolean },
): Promise<Output> {
  const input = readDtabFile(file)
  return diffOutput(await mustRead(namerd, name), input.dtab, opts)
}

export interface UpdateOptions {
  version?: string
  force?: boolean
  dryRun?: boolean
  json?: boolean
  /** Why, kept in the dtab's history. */
  message?: string
}

/**
 * The `If-Match` version of an update: none with `--force`; else a JSON file's version
 * (linkerd), else `--version`, else the current one (read first: safe by default).
 */
async function ifMatch(
  namerd: Namerd,
  name: string,
  input: DtabInput,
  opts: UpdateOptions,
): Promise<string | undefined> {
  if (opts.force === true) return undefined
  return input.version ?? opts.version ?? (await mustRead(namerd, name)).version
}

/** `dtab NAME changed since version V; …` (exit 7). */
export function changedSince(name: string, version: string): NamerdError {
  return new NamerdError(
    'ERR_VERSION_CONFLICT',
    `dtab ${name} changed since version ${version}; re-read it (namerctl dtab get ${name}) or use --force`,
  )
}

/** `dtab update NAME FILE`: compare-and-swap on a version, or a blind `--force` overwrite. */
export async function updateCommand(
  namerd: Namerd,
  name: string,
  file: string,
  opts: UpdateOptions,
): Promise<Output> {
  if (opts.force === true && opts.version !== undefined)
    throw new UsageError('--force and --version exclude each other')
  if (opts.version === '') throw new UsageError('--version needs a value (an ETag from get)')
  const input = readDtabFile(file)
  if (opts.dryRun === true) return dryRun(namerd, name, input, opts)
  const version = await ifMatch(namerd, name, input, opts)
  const out = await updateDtab(namerd, name, formatDtab(input.dtab), version, opts.message)
  if (out === 'absent') throw dtabNotFound(name)
  if (out === 'changed') throw changedSince(name, version ?? '')
  return done(`Updated ${name}`, opts.json === true ? { name, action: 'updated' } : undefined)
}

/**
 * `update --dry-run`: the diff and what it would do to the live names (namerd's dry run), nothing
 * written. It fails as the update would: not found (unless `--force`, which would create it), or
 * a version that is no longer the current one.
 */
async function dryRun(
  namerd: Namerd,
  name: string,
  input: DtabInput,
  opts: UpdateOptions,
): Promise<Output> {
  const cur = await readDtab(namerd, name)
  if (cur === 'absent' && opts.force !== true) throw dtabNotFound(name)
  const from = cur === 'absent' ? { version: '', dtab: [] } : cur
  const wanted = opts.force === true ? undefined : (input.version ?? opts.version)
  if (wanted !== undefined && wanted !== from.version) throw changedSince(name, wanted)
  return dryRunOutput(namerd, name, from, input.dtab, opts.json === true)
}
