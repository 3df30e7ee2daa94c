/**
 * `dtab history NAME`: a dtab's past values, newest first, each with the dentries it changed;
 * `dtab rollback NAME [--to VERSION]`: writes a past value back by compare-and-swap.
 */
import { readDtab as parseDtabText } from '../dtabs/index.js'
import type { Namerd } from './client.js'
import { createDtab, readDtab, readHistory, updateDtab, type PastDtab } from './dtab-api.js'
import { entriesToDtab } from './dtab-api.js'
import { formatDtab, type Output } from './dtab-offline.js'
import { done, dtabNotFound } from './dtab-online.js'
import { changedSince } from './dtab-update.js'
import { readableMessage } from './canary/progress.js'
import { dentryLines, diffLines, type Change } from '../dtabs/diff.js'
import { NamerdError, UsageError } from './errors.js'

/** One step of the history with what it changed from the step before it. */
export interface HistoryStep extends PastDtab {
  /** Dentry-level changes from the previous kept value (none kept: every dentry added). */
  readonly changes: readonly Change[]
}

/** The history's steps, oldest first, each diffed against the one before (a deletion: empty). */
export function historySteps(past: readonly PastDtab[]): HistoryStep[] {
  let before: string[] = []
  return past.map((p) => {
    const lines = p.dtab === null ? [] : textLines(p.dtab)
    const changes = diffLines(before, lines)
    before = lines
    return { ...p, changes }
  })
}

/** A past dtab's dentries; one that does not parse (a hostile namerd) shows as its raw text. */
function textLines(text: string): string[] {
  try {
    return dentryLines(parseDtabText(text))
  } catch {
    return [`(does not parse) ${text}`]
  }
}

/** `dtab history NAME [--json] [--limit N]`: newest first. */
export async function historyCommand(
  namerd: Namerd,
  name: string,
  opts: { json?: boolean; limit?: number },
): Promise<Output> {
  const past = await readHistory(namerd, name)
  if (past === 'absent') throw dtabNotFound(name)
  const steps = historySteps(past).reverse().slice(0, opts.limit)
  if (opts.json === true) return { stdout: `${JSON.stringify(steps)}\n` }
  if (steps.length === 0) return { stdout: `dtab ${name} has no history yet\n` }
  return { stdout: steps.map(renderStep).join('\n') }
}

function renderStep(s: HistoryStep): string {
  const what = s.dtab === null ? 'deleted' : `version ${s.version}`
  const by = s.by === undefined ? '' : `  by ${s.by}`
  const head = `${what}  ${s.at}${by}\n`
  const message = s.message === undefined ? '' : `    ${readableMessage(s)}\n`
  const changed = s.changes.filter((c) => c.op !== ' ')
  const lines = changed.length === 0 && s.dtab !== null ? ['  (no dentry changed)'] : []
  for (const c of changed) lines.push(`  ${c.op} ${c.dentry}`)
  return head + message + lines.map((l) => `${l}\n`).join('')
}

export interface RollbackOptions {
  /** The version to go back to (default: the value before the current one). */
  readonly to?: string
  /** Write whatever the current version is now. */
  readonly force?: boolean
  readonly message?: string
  readonly json?: boolean
}

/**
 * `dtab rollback NAME [--to VERSION] [--force]`: the past value written back with `If-Match`
 * the version read just before (a change made meanwhile refuses it, exit 7, unless `--force`);
 * a deleted dtab is created again.
 */
export async function rollbackCommand(
  namerd: Namerd,
  name: string,
  opts: RollbackOptions,
): Promise<Output> {
  if (opts.to === '') throw new UsageError('--to needs a version (from dtab history)')
  const [current, past] = await Promise.all([readDtab(namerd, name), readHistory(namerd, name)])
  if (past === 'absent') throw dtabNotFound(name)
  const target = rollbackTarget(name, past, opts.to)
  const text = target.dtab as string
  const from = current === 'absent' ? null : current.version
  const json = { name, action: 'rolled-back', from, to: target.version }
  const say = (s: string) => done(s, opts.json === true ? json : undefined)
  if (current !== 'absent' && sameDtab(formatDtab(entriesToDtab(current.dtab)), text))
    return say(`dtab ${name} already has the dtab of version ${target.version}`)
  const message = opts.message ?? `rollback to ${target.version}`
  await writeBack(namerd, name, text, opts.force === true ? undefined : from, message)
  return say(`Rolled back ${name} to the dtab of version ${target.version}`)
}

/** `--to`'s entry (the newest with that version and a dtab), else the one before the newest. */
export function rollbackTarget(name: string, past: readonly PastDtab[], to?: string): PastDtab {
  const older = [...past].reverse()
  const found =
    to === undefined
      ? older.slice(1).find((p) => p.dtab !== null)
      : older.find((p) => p.version === to && p.dtab !== null)
  if (found !== undefined) return found
  const why = to === undefined ? 'no earlier dtab is kept' : `no version ${to} with a dtab is kept`
  throw new NamerdError(
    'ERR_NOT_FOUND',
    `cannot roll back ${name}: ${why} in its history (namerctl dtab history ${name})`,
  )
}

function sameDtab(a: string, b: string): boolean {
  return textLines(a).join('\n') === textLines(b).join('\n')
}

/** Writes `text` back: by compare-and-swap on `version`, blind without one, a create if gone. */
async function writeBack(
  namerd: Namerd,
  name: string,
  text: string,
  version: string | null | undefined,
  message: string,
): Promise<void> {
  if (version === null) {
    if ((await createDtab(namerd, name, text, message)) === 'exists')
      throw new NamerdError(
        'ERR_VERSION_CONFLICT',
        `dtab ${name} was created meanwhile; use --force`,
      )
    return
  }
  const out = await updateDtab(namerd, name, text, version, message)
  if (out !== 'updated') throw changedSince(name, version ?? '')
}
