/**
 * Where a shift stands, kept where everyone can see it: in the message of each write it makes,
 * in the dtab's history (`namerctl dtab history`). A sentence for people, then the state as
 * JSON for `shift --resume` and for a second shift, which is refused while the newest change of
 * the dtab is an unfinished shift's step.
 */
import type { PastDtab } from '../dtab-api.js'

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
  const weight = s.steps[s.step - 1] ?? 0
  const what =
    s.state === 'rolled-back'
      ? `rolled back${note === undefined ? '' : `: ${note}`}`
      : `${weight}% (step ${s.step} of ${s.steps.length})${s.state === 'done' ? ', done' : ''}`
  const text = `shift ${s.prefix} to ${s.to}: ${what}`
  // Messages are one line (namerd refuses control characters).
  // eslint-disable-next-line no-control-regex
  return `${text.replace(/[\u0000-\u001f\u007f]/g, ' ')}${MARK}${JSON.stringify(s)}`
}

/** A message as people read it: a shift's without the state it carries for namerctl. */
export function readableMessage(message: string): string {
  const at = message.lastIndexOf(MARK)
  return at < 0 ? message : message.slice(0, at)
}

/** The shift state a history entry's message records, if it is a shift's write. */
export function stateOf(entry: PastDtab | undefined): ShiftState | undefined {
  const m = entry?.message
  const at = m?.lastIndexOf(MARK) ?? -1
  if (m === undefined || at < 0) return undefined
  try {
    const s = JSON.parse(m.slice(at + MARK.length)) as Partial<ShiftState>
    return isState(s) ? s : undefined
  } catch {
    return undefined
  }
}

function isState(s: Partial<ShiftState>): s is ShiftState {
  const str = (v: unknown) => typeof v === 'string'
  return (
    str(s.shift) &&
    str(s.prefix) &&
    str(s.from) &&
    str(s.to) &&
    str(s.start) &&
    Array.isArray(s.steps) &&
    s.steps.every((n) => typeof n === 'number') &&
    typeof s.step === 'number' &&
    (s.state === 'step' || s.state === 'done' || s.state === 'rolled-back')
  )
}

/** The unfinished shift the history ends with (its newest entry a shift's step), if any. */
export function unfinished(
  past: readonly PastDtab[],
): { state: ShiftState; entry: PastDtab } | undefined {
  const entry = past.at(-1)
  const state = stateOf(entry)
  return state?.state === 'step' && entry !== undefined ? { state, entry } : undefined
}
