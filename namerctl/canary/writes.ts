/**
 * A shift's writes to its dtab: each a compare-and-swap against the version the shift itself
 * wrote last, so that anyone else's change (an operator's edit, a rollback, a second shift's
 * resume) stops the shift instead of being overwritten. The version a write made is read back
 * from the history, where the write's own message names it.
 */
import { readPrefix, type Dentry, type NameTree, type Path } from '../../dtabs/index.js'
import type { Namerd } from '../client.js'
import { entriesToDtab, readDtab, readHistory, updateDtab, type PastDtab } from '../dtab-api.js'
import { formatDtab } from '../dtab-offline.js'
import { setDentry } from '../edit.js'
import { NamerdError } from '../errors.js'
import { readDtab as parseDtabText } from '../../dtabs/index.js'
import { parseDestination, splitTree } from './plan.js'
import { shiftMessage, stateOf, type ShiftState } from './progress.js'

/** The dtab as a shift last left it: its version. */
export interface Written {
  readonly version: string
}

/** Someone else changed the dtab while a shift ran. */
export function changedUnderShift(name: string, version: string): NamerdError {
  return new NamerdError(
    'ERR_VERSION_CONFLICT',
    `dtab ${name} changed since the shift wrote version ${version}: the shift stops here (namerctl dtab history ${name})`,
  )
}

/** Writes `state`'s step: PREFIX's dentry at the step's weight of `to`, by compare-and-swap. */
export async function writeStep(
  namerd: Namerd,
  name: string,
  state: ShiftState,
  last: Written,
): Promise<Written> {
  const weight = state.steps[state.step - 1] ?? 0
  const from = parseDestination('--from', state.from)
  const to = parseDestination('--to', state.to)
  const dst = parseDestination('step', splitTree(from, to, weight))
  return write(namerd, name, last, shiftMessage(state), (dtab) =>
    setDentry(dtab, { prefix: readPrefix(state.prefix), dst }),
  )
}

/**
 * Writes back the dtab the shift started from (the history's entry of `state.start`); if the
 * history no longer keeps it, PREFIX's dentry is set back to `from` in the current dtab.
 */
export async function writeRollback(
  namerd: Namerd,
  name: string,
  state: ShiftState,
  last: Written,
  reason: string,
): Promise<Written> {
  const past = await readHistory(namerd, name)
  const start = past === 'absent' ? undefined : startOf(past, state.start)
  const back: Dentry = { prefix: readPrefix(state.prefix), dst: fromTree(state) }
  const message = shiftMessage({ ...state, state: 'rolled-back' }, reason.slice(0, 200))
  return write(namerd, name, last, message, (dtab) =>
    start === undefined ? setDentry(dtab, back) : parseDtabText(start),
  )
}

function fromTree(state: ShiftState): NameTree<Path> {
  return parseDestination('--from', state.from)
}

function startOf(past: readonly PastDtab[], version: string): string | undefined {
  return (
    [...past].reverse().find((p) => p.version === version && p.dtab !== null)?.dtab ?? undefined
  )
}

async function write(
  namerd: Namerd,
  name: string,
  last: Written,
  message: string,
  edit: (dtab: ReturnType<typeof entriesToDtab>) => ReturnType<typeof entriesToDtab>,
): Promise<Written> {
  const cur = await readDtab(namerd, name)
  if (cur === 'absent' || cur.version !== last.version) throw changedUnderShift(name, last.version)
  const text = formatDtab(edit(entriesToDtab(cur.dtab)))
  const out = await updateDtab(namerd, name, text, last.version, message)
  if (out !== 'updated') throw changedUnderShift(name, last.version)
  return { version: await versionWritten(namerd, name, message, last) }
}

/** The version the write of `message` made: the history's newest entry, if it is that write. */
async function versionWritten(
  namerd: Namerd,
  name: string,
  message: string,
  last: Written,
): Promise<string> {
  const past = await readHistory(namerd, name)
  const newest = past === 'absent' ? undefined : past.at(-1)
  if (newest?.message !== message || stateOf(newest) === undefined)
    throw changedUnderShift(name, last.version)
  return newest.version
}
