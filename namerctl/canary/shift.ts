/**
 * `namerctl dtab shift NAME PREFIX --to DST`: a progressive canary in one command. It starts a
 * new shift (refused while the dtab's newest change is an unfinished shift's step) or resumes
 * the one the history shows (`--resume`), finds the clients to watch, and walks (walk.ts).
 */
import { randomBytes } from 'node:crypto'
import { readPrefix, showPathTree, showPrefix } from '../../dtabs/index.js'
import type { Namerd } from '../client.js'
import { entriesToDtab, readHistory, type VersionedDtab } from '../dtab-api.js'
import { formatDtab } from '../dtab-offline.js'
import { dtabNotFound, mustRead } from '../dtab-online.js'
import { dentryFor } from '../edit.js'
import { NamerdError, UsageError } from '../errors.js'
import { clientsOf } from './clients.js'
import type { FigureSource } from './figures.js'
import { parseDestination } from './plan.js'
import { shiftMessage, unfinished, weightAt, type ShiftState } from './progress.js'
import { walk, type WalkIo } from './walk.js'
import type { Written } from './writes.js'

/** What the command line asks for. */
export interface ShiftRequest {
  readonly prefix?: string
  readonly to?: string
  readonly from?: string
  readonly steps: readonly number[]
  readonly resume: boolean
}

/** The longest message namerd takes (its `?message=` limit). */
const MAX_MESSAGE = 1000

/** Starts or resumes the shift `req` asks for on dtab `name`, and walks it. */
export async function runShift(
  namerd: Namerd,
  name: string,
  req: ShiftRequest,
  io: Omit<WalkIo, 'canary' | 'baseline'> & { readonly source: FigureSource },
): Promise<Written> {
  const { state, at } = req.resume ? await resumed(namerd, name) : await started(namerd, name, req)
  const [canary, baseline] = await Promise.all([
    clientsOf(namerd, name, parseDestination('--to', state.to)),
    clientsOf(namerd, name, parseDestination('--from', state.from)),
  ])
  const { prefix, from, to, steps, step } = state
  const shared = canary.filter((id) => baseline.includes(id))
  if (shared.length > 0)
    throw new UsageError(
      `the canary and the baseline share ${shared.join(', ')}: their figures could not be told apart (give --from the baseline alone)`,
    )
  const intervalMs = io.intervalMs
  io.emit({ event: 'start', name, prefix, from, to, steps, step, intervalMs, canary, baseline })
  return walk(namerd, name, state, at, { ...io, canary, baseline })
}

/** A new shift from the dtab as it is (`cur`, as read): not yet written (step 0). */
export async function started(namerd: Namerd, name: string, req: ShiftRequest) {
  if (req.prefix === undefined || req.to === undefined)
    throw new UsageError('shift needs PREFIX and --to DST (or --resume)')
  const cur = await mustRead(namerd, name)
  const past = await readHistory(namerd, name)
  const running = past === 'absent' ? undefined : unfinished(past, textOf(cur))
  if (running !== undefined) throw inProgress(name, running.state)
  const prefix = readPrefix(req.prefix)
  const dentry = dentryFor(entriesToDtab(cur.dtab), prefix)
  const from = req.from ?? (dentry === undefined ? undefined : showPathTree(dentry.dst))
  if (from === undefined)
    throw new UsageError(`dtab ${name} has no dentry for ${showPrefix(prefix)}: give --from DST`)
  const to = showPathTree(parseDestination('--to', req.to))
  const fromShown = showPathTree(parseDestination('--from', from))
  if (fromShown === to)
    throw new UsageError(`--to ${to} is where ${showPrefix(prefix)} already goes`)
  const state: ShiftState = {
    shift: randomBytes(4).toString('hex'),
    prefix: showPrefix(prefix),
    from: fromShown,
    to,
    steps: req.steps,
    step: 0,
    start: cur.version,
    state: 'step',
  }
  checkMessageFits(state)
  return { state, at: { version: cur.version }, cur }
}

/**
 * The shift not over on this dtab (its newest change, or one stopped half-way whose step still
 * holds PREFIX): resumed from the dtab as it is now, so changes made elsewhere meanwhile stay.
 */
async function resumed(namerd: Namerd, name: string) {
  const past = await readHistory(namerd, name)
  if (past === 'absent') throw dtabNotFound(name)
  const cur = await mustRead(namerd, name)
  const running = unfinished(past, textOf(cur))
  if (running === undefined)
    throw new NamerdError(
      'ERR_NOT_FOUND',
      `dtab ${name} has no unfinished shift to resume (none whose step still holds its prefix: namerctl dtab history ${name})`,
    )
  return { state: running.state, at: { version: cur.version } }
}

function textOf(cur: VersionedDtab): string {
  return formatDtab(entriesToDtab(cur.dtab))
}

/** A shift is under way (or was stopped half-way) on this dtab: exit 12. */
function inProgress(name: string, s: ShiftState): NamerdError {
  const weight = weightAt(s)
  return new NamerdError(
    'ERR_SHIFT_IN_PROGRESS',
    `dtab ${name} has a shift under way or stopped half-way (${s.prefix} to ${s.to} at ${weight}%, step ${s.step} of ${s.steps.length}): wait for it, or finish it with namerctl dtab shift ${name} --resume, or put ${s.prefix} back with namerctl dtab set ${name} ${s.prefix} '${s.from}' (or the whole dtab: namerctl dtab rollback ${name} --to ${s.start})`,
  )
}

function checkMessageFits(s: ShiftState): void {
  const widest = shiftMessage({ ...s, step: s.steps.length, state: 'rolled-back' }, 'x'.repeat(200))
  if (widest.length > MAX_MESSAGE)
    throw new UsageError(
      '--from and --to are too long to be recorded in the history (at most about 300 characters)',
    )
}
