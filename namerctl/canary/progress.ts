/**
 * Where a shift stands, kept where everyone can see it: in the message of each write it makes,
 * in the dtab's history (`namerctl dtab history`). A sentence for people, then the state as
 * JSON for `shift --resume` and for a second shift, which is refused while a shift is not over
 * (see `unfinished`).
 */
import { withoutControls } from '../../lib/control-characters.js'
import {
  readDtab,
  readNameTree,
  readPrefix,
  showPathTree,
  type NameTree,
  type Path,
} from '../../dtabs/index.js'
import type { PastDtab } from '../dtab-api.js'
import { dentryFor } from '../edit.js'
import { splitTree } from './plan.js'

/** A shift's state as its writes record it. */
export interface ShiftState {
  /** Names one shift among others in the history. */
  readonly shift: string
  readonly prefix: string
  readonly from: string
  readonly to: string
  readonly steps: readonly number[]
  /** The step just written (1-based); 0 for none. */
  readonly step: number
  /** The version of the dtab before the shift's first write: what a rollback goes back to. */
  readonly start: string
  readonly state: 'step' | 'done' | 'rolled-back'
}

const MARK = ' ~shift~'

/** The message of a shift's write: `shift /svc/users to /srv/v2: 25% (step 3 of 5)` and its state. */
export function shiftMessage(s: ShiftState, note?: string): string {
  const weight = weightAt(s)
  const what =
    s.state === 'rolled-back'
      ? `rolled back${note === undefined ? '' : `: ${note}`}`
      : `${weight}% (step ${s.step} of ${s.steps.length})${s.state === 'done' ? ', done' : ''}`
  const text = `shift ${s.prefix} to ${s.to}: ${what}`
  // Messages are one line (namerd refuses control characters).
  return `${withoutControls(text)}${MARK}${JSON.stringify(s)}`
}

/** A message as people read it: a shift's without the state it carries for namerctl. */
export function readableMessage(entry: PastDtab): string {
  const m = entry.message ?? ''
  return stateOf(entry) === undefined ? m : m.slice(0, m.lastIndexOf(MARK))
}

/**
 * The shift state a history entry's message records, if it is a shift's write: checked whole,
 * and for a step, tied to the write itself (the entry's dtab must send PREFIX to that step's
 * split), so a message that only claims to be a shift's (anyone may write `-m`) is not one.
 */
export function stateOf(entry: PastDtab | undefined): ShiftState | undefined {
  const m = entry?.message
  const at = m?.lastIndexOf(MARK) ?? -1
  if (entry === undefined || m === undefined || at < 0) return undefined
  try {
    const s = JSON.parse(m.slice(at + MARK.length)) as Partial<ShiftState>
    if (!isState(s)) return undefined
    return s.state === 'rolled-back' || holdsStep(entry.dtab, s) ? s : undefined
  } catch {
    return undefined
  }
}

function isState(s: Partial<ShiftState>): s is ShiftState {
  const str = (v: unknown) => typeof v === 'string'
  if (!(str(s.shift) && str(s.prefix) && str(s.from) && str(s.to) && str(s.start))) return false
  if (!(s.state === 'step' || s.state === 'done' || s.state === 'rolled-back')) return false
  const steps = s.steps
  const ok =
    Array.isArray(steps) && steps.length > 0 && steps.every((n, i) => increasing(steps, n, i))
  return (
    ok && Number.isInteger(s.step) && (s.step as number) >= 1 && (s.step as number) <= steps.length
  )
}

function increasing(steps: readonly unknown[], n: unknown, i: number): boolean {
  return typeof n === 'number' && n > 0 && n <= 100 && (i === 0 || n > (steps[i - 1] as number))
}

/** The weight of DST at the state's step. */
export function weightAt(s: ShiftState): number {
  return s.steps[s.step - 1] ?? 0
}

/** Where the state's step sends PREFIX: `weightAt(s)` percent of `to`, the rest to `from`. */
export function stepDestination(s: ShiftState): NameTree<Path> {
  return readNameTree(splitTree(readNameTree(s.from), readNameTree(s.to), weightAt(s)))
}

/** Whether `dtabText` sends the state's PREFIX (its last dentry) to the state's step's split. */
export function holdsStep(dtabText: string | null, s: ShiftState): boolean {
  if (dtabText === null) return false
  try {
    const d = dentryFor(readDtab(dtabText), readPrefix(s.prefix))
    return d !== undefined && showPathTree(d.dst) === showPathTree(stepDestination(s))
  } catch {
    return false
  }
}

/**
 * The shift that is not over on this dtab, if any: one whose step is the newest change, or
 * one stopped half-way whose step still holds PREFIX in `current` (someone wrote elsewhere in
 * the dtab since). `prefix`: only a shift of that prefix (any, when undefined).
 */
export function unfinished(
  past: readonly PastDtab[],
  current: string | null,
  prefix?: string,
): { state: ShiftState; entry: PastDtab } | undefined {
  const newest = stateOf(past.at(-1))
  if (newest?.state === 'step') return { state: newest, entry: past.at(-1) as PastDtab }
  const seen = new Set<string>()
  for (const entry of [...past].reverse()) {
    const s = stateOf(entry)
    if (s === undefined || seen.has(s.prefix) || (prefix !== undefined && s.prefix !== prefix))
      continue
    seen.add(s.prefix)
    if (s.state === 'step' && holdsStep(current, s)) return { state: s, entry }
  }
  return undefined
}
