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
import { setTimeout as delay } from 'node:timers/promises'
import { CodedError, errorCode, errorMessage } from '../../lib/errors.js'
import { readDtab as parseDtabText } from '../../dtabs/index.js'
import { parseDestination } from './plan.js'
import {
  holdsStep,
  shiftMessage,
  stateOf,
  stepDestination,
  weightAt,
  type ShiftState,
} from './progress.js'

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
  const dst = stepDestination(state)
  return write(namerd, name, last, shiftMessage(state), (dtab) =>
    setDentry(dtab, { prefix: readPrefix(state.prefix), dst }),
  )
}

/** How many times a rollback is tried (namerd unreachable, its store down, someone writing). */
export const ROLLBACK_TRIES = 5

/** A gate failed and the rollback could not be written: the canary keeps its share (exit 13). */
export class RollbackFailedError extends CodedError {
  readonly code = 'ERR_ROLLBACK_FAILED'
}

/**
 * Writes back the dtab the shift started from (the history's entry of `state.start`) while the
 * dtab is as the shift left it; if someone wrote meanwhile, or the history no longer keeps the
 * start, PREFIX's dentry alone is set back to `from` (their change stays), as long as PREFIX
 * still holds the shift's step. Retried with backoff; failing that, a RollbackFailedError.
 */
export async function writeRollback(
  namerd: Namerd,
  name: string,
  state: ShiftState,
  last: Written,
  reason: string,
): Promise<Written> {
  // At most 200 characters, cut between code points (a lone surrogate would not round-trip).
  const message = shiftMessage(
    { ...state, state: 'rolled-back' },
    [...reason].slice(0, 200).join(''),
  )
  for (let attempt = 1; ; attempt++) {
    try {
      return await rollbackOnce(namerd, name, state, last, message)
    } catch (e) {
      if (attempt >= ROLLBACK_TRIES || !retryable(e)) throw rollbackFailed(name, state, reason, e)
      await delay(200 * 2 ** attempt)
    }
  }
}

async function rollbackOnce(
  namerd: Namerd,
  name: string,
  state: ShiftState,
  last: Written,
  message: string,
): Promise<Written> {
  const cur = await readDtab(namerd, name)
  if (cur === 'absent') throw new NamerdError('ERR_NOT_FOUND', `dtab ${name} was deleted`)
  const back: Dentry = { prefix: readPrefix(state.prefix), dst: fromTree(state) }
  if (cur.version === last.version) {
    const past = await readHistory(namerd, name)
    const start = past === 'absent' ? undefined : startOf(past, state.start)
    const text =
      start === undefined ? setDentry(entriesToDtab(cur.dtab), back) : parseDtabText(start)
    return put(namerd, name, cur.version, formatDtab(text), message)
  }
  if (!holdsStep(formatDtab(entriesToDtab(cur.dtab)), state))
    throw new NamerdError(
      'ERR_NOT_FOUND',
      `${state.prefix} no longer holds the shift's step: someone changed it`,
    )
  return put(
    namerd,
    name,
    cur.version,
    formatDtab(setDentry(entriesToDtab(cur.dtab), back)),
    message,
  )
}

async function put(namerd: Namerd, name: string, version: string, text: string, message: string) {
  const out = await updateDtab(namerd, name, text, version, message)
  if (out !== 'updated') throw changedUnderShift(name, version)
  // The version it made, for the report only: the write stands whatever this read gives.
  const past = await readHistory(namerd, name).catch(() => 'absent' as const)
  const newest = past === 'absent' ? undefined : past.at(-1)
  return { version: newest?.message === message ? newest.version : 'unknown' }
}

/** Worth another try: namerd or its store away for a moment, or a write in between. */
function retryable(e: unknown): boolean {
  const code = errorCode(e)
  return (
    code === 'ERR_NAMERD_UNREACHABLE' ||
    code === 'ERR_NAMERD_UNAVAILABLE' ||
    code === 'ERR_VERSION_CONFLICT'
  )
}

function rollbackFailed(
  name: string,
  s: ShiftState,
  reason: string,
  e: unknown,
): RollbackFailedError {
  return new RollbackFailedError(
    `a gate failed (${reason}) but the rollback could not be written (${errorMessage(e)}): ${s.prefix} may still send ${weightAt(s)}% to ${s.to}; put it back with namerctl dtab set ${name} ${s.prefix} '${s.from}'`,
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
