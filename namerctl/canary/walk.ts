/**
 * The walk of a shift: write a step, watch the canary and the baseline for an interval, judge
 * the gates, go on, wait for more traffic, or roll back. Every write is compare-and-swap
 * (writes.ts); the figures come from a FigureSource; time and output are given, so the walk
 * itself is plain logic.
 */
import type { Namerd } from '../client.js'
import { CodedError, errorMessage } from '../../lib/errors.js'
import { FiguresError } from './errors.js'
import type { Figures, FigureSource } from './figures.js'
import { judge, successRate, type Gate, type Verdict } from './gates.js'
import { weightAt, type ShiftState } from './progress.js'
import { writeRollback, writeStep, type Written } from './writes.js'

/** What a shift reports as it goes (`--json` prints each as one line). */
export type ShiftEvent =
  | {
      readonly event: 'start'
      readonly name: string
      readonly prefix: string
      readonly from: string
      readonly to: string
      readonly steps: readonly number[]
      readonly step: number
      readonly intervalMs: number
      readonly canary: readonly string[]
      readonly baseline: readonly string[]
    }
  | {
      readonly event: 'step'
      readonly step: number
      readonly of: number
      readonly weight: number
      readonly version: string
    }
  | {
      readonly event: 'gate'
      readonly step: number
      readonly weight: number
      readonly verdict: Verdict['type']
      readonly reason?: string
      readonly canary: Shown
      readonly baseline: Shown
    }
  | {
      readonly event: 'rollback'
      readonly step: number
      readonly weight: number
      readonly reason: string
      readonly version: string
    }
  | { readonly event: 'done'; readonly version: string }

/** Figures as a shift shows them: with the success rate. */
export type Shown = Figures & { readonly success: number }

/** Interrupted between writes: the dtab stays at the last step written (exit 130). */
export class ShiftInterruptedError extends CodedError {
  readonly code = 'ERR_SHIFT_INTERRUPTED'
}

function interrupted(name: string, s: ShiftState): ShiftInterruptedError {
  const at =
    s.step === 0
      ? 'as it was (no step written)'
      : `at ${weightAt(s)}% (step ${s.step} of ${s.steps.length})`
  return new ShiftInterruptedError(
    `interrupted: dtab ${name} stays ${at}; namerctl dtab shift ${name} --resume finishes the shift, namerctl dtab set ${name} ${s.prefix} '${s.from}' undoes it`,
  )
}

/** A gate failed: the dtab is back where the shift started (exit 11). */
export class GateFailedError extends CodedError {
  readonly code = 'ERR_GATE_FAILED'
}

/** What the walk needs besides namerd. */
export interface WalkIo {
  readonly source: FigureSource
  /** The canary's and the baseline's clients (the routers' bound ids). */
  readonly canary: readonly string[]
  readonly baseline: readonly string[]
  readonly gates: readonly Gate[]
  readonly intervalMs: number
  /** Intervals the canary may lack requests before the shift gives up and rolls back. */
  readonly maxWaits: number
  /** Resolves after `ms`, rejects once the shift is interrupted. */
  sleep(ms: number): Promise<void>
  /** The shift was asked to stop (Ctrl-C, SIGTERM). */
  stopped(): boolean
  emit(e: ShiftEvent): void
}

/** Walks from `state` (its step already written at `last`) to the last step, or rolls back. */
export async function walk(
  namerd: Namerd,
  name: string,
  state: ShiftState,
  last: Written,
  io: WalkIo,
): Promise<Written> {
  let s = state
  let at = last
  while (s.step < s.steps.length) {
    if (s.step > 0) {
      const verdict = await watchStep(s, io).catch((e: unknown) => {
        throw io.stopped() ? interrupted(name, s) : e
      })
      if (verdict.type !== 'pass') return rollBack(namerd, name, s, at, verdict.reason, io)
    }
    // Stopped (Ctrl-C) while the step was judged: no further step once asked to stop.
    if (io.stopped()) throw interrupted(name, s)
    s = { ...s, step: s.step + 1, state: s.step + 1 === s.steps.length ? 'done' : 'step' }
    at = await writeStep(namerd, name, s, at)
    io.emit({
      event: 'step',
      step: s.step,
      of: s.steps.length,
      weight: weightAt(s),
      version: at.version,
    })
  }
  io.emit({ event: 'done', version: at.version })
  return at
}

/**
 * Watches one step until the gates pass, fail, or the canary had too few requests for too long.
 * Figures that cannot be read (a router or Prometheus not answering) fail the gate: a shift
 * that cannot see the canary does not go on with it.
 */
async function watchStep(s: ShiftState, io: WalkIo): Promise<Verdict> {
  try {
    return await judgeStep(s, io)
  } catch (e) {
    if (!(e instanceof FiguresError)) throw e
    return { type: 'fail', reason: `the figures could not be read: ${errorMessage(e)}` }
  }
}

async function judgeStep(s: ShiftState, io: WalkIo): Promise<Verdict> {
  const [canary, baseline] = await Promise.all([
    io.source.open(io.canary),
    io.source.open(io.baseline),
  ])
  for (let waited = 0; ; waited++) {
    await io.sleep(io.intervalMs)
    const [c, b] = await Promise.all([canary.read(), baseline.read()])
    const verdict = judge(io.gates, c, b)
    io.emit({
      event: 'gate',
      step: s.step,
      weight: weightAt(s),
      verdict: verdict.type,
      ...reasonOf(verdict),
      canary: shown(c),
      baseline: shown(b),
    })
    if (verdict.type !== 'wait') return verdict
    if (waited + 1 >= io.maxWaits)
      return {
        type: 'fail',
        reason: `${verdict.reason} after ${io.maxWaits} intervals: not enough traffic to judge`,
      }
  }
}

async function rollBack(
  namerd: Namerd,
  name: string,
  s: ShiftState,
  at: Written,
  reason: string,
  io: WalkIo,
): Promise<never> {
  const back = await writeRollback(namerd, name, s, at, reason)
  io.emit({ event: 'rollback', step: s.step, weight: weightAt(s), reason, version: back.version })
  throw new GateFailedError(
    `shift of ${s.prefix} in ${name} rolled back at ${weightAt(s)}% (step ${s.step} of ${s.steps.length}): ${reason}`,
  )
}

function reasonOf(v: Verdict): { reason?: string } {
  return v.type === 'pass' ? {} : { reason: v.reason }
}

function shown(f: Figures): Shown {
  return { ...f, success: Number(successRate(f).toFixed(3)) }
}
