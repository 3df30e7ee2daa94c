/**
 * `namerctl dtab shift` from its flags: the plan checked first, the figure source opened (and
 * closed), Ctrl-C turned into a clean stop between writes, and the walk's events shown.
 */
import { setTimeout as delay } from 'node:timers/promises'
import type { Namerd } from '../client.js'
import type { Output } from '../dtab-offline.js'
import { UsageError } from '../errors.js'
import { drawLive, show, type Screen } from './display.js'
import type { FigureSource } from './figures.js'
import { gatesOf } from './gates.js'
import { DEFAULT_INTERVAL_MS, DEFAULT_STEPS, parseInterval, parseSteps } from './plan.js'
import { shiftDryRun } from './dry-run.js'
import { runShift } from './shift.js'
import type { ShiftEvent } from './walk.js'

/** The flags of `dtab shift`. */
export interface ShiftFlags {
  readonly to?: string
  readonly from?: string
  readonly steps?: string
  readonly interval?: string
  readonly gate?: readonly string[]
  readonly maxWaits?: number
  readonly admin?: readonly string[]
  readonly adminPath?: string
  readonly prometheus?: string
  readonly resume?: boolean
  readonly json?: boolean
  readonly dryRun?: boolean
}

/** Intervals a canary may lack requests before the shift rolls back, unless `--max-waits`. */
export const DEFAULT_MAX_WAITS = 10

/** What the shift command gets from main: its output, Ctrl-C, and how to open a figure source. */
export interface ShiftIo {
  readonly screen: Screen
  readonly signal: AbortSignal
  openSource(flags: ShiftFlags): Promise<FigureSource>
}

/** Runs a shift; its output is streamed, so the Output left is empty. */
export async function shiftCommand(
  namerd: Namerd,
  name: string,
  prefix: string | undefined,
  flags: ShiftFlags,
  io: ShiftIo,
): Promise<Output> {
  if (flags.resume === true && (prefix ?? flags.to ?? flags.from) !== undefined)
    throw new UsageError('--resume takes the shift from the history: no PREFIX, --to or --from')
  const steps = flags.steps === undefined ? [...DEFAULT_STEPS] : parseSteps(flags.steps)
  const intervalMs =
    flags.interval === undefined ? DEFAULT_INTERVAL_MS : parseInterval(flags.interval)
  const gates = gatesOf(flags.gate)
  const request = { prefix, to: flags.to, from: flags.from, steps, resume: flags.resume === true }
  if (flags.dryRun === true) {
    if (request.resume) throw new UsageError('--dry-run plans a new shift: not with --resume')
    return shiftDryRun(namerd, name, request, flags.json === true)
  }
  const sources = [flags.admin, flags.adminPath, flags.prometheus].filter((f) => f !== undefined)
  if (sources.length !== 1)
    throw new UsageError(
      'shift needs the figures from --admin URL..., --admin-path PATH or --prometheus URL (one of them)',
    )
  const source = await io.openSource(flags)
  const emit = (e: ShiftEvent): void => show(io.screen, e)
  try {
    const sleep = (ms: number) => countdown(ms, io)
    const stopped = () => io.signal.aborted
    const maxWaits = flags.maxWaits ?? DEFAULT_MAX_WAITS
    const walkIo = { source, gates, intervalMs, maxWaits, sleep, stopped, emit }
    await runShift(namerd, name, request, walkIo)
  } finally {
    source.close()
  }
  return { stdout: '' }
}

/** Waits `ms`, drawing the time left each second on a terminal; rejects on Ctrl-C. */
async function countdown(ms: number, io: ShiftIo): Promise<void> {
  const end = Date.now() + ms
  for (let left = ms; left > 0; left = end - Date.now()) {
    drawLive(io.screen, `  watching: ${Math.ceil(left / 1000)} s left`)
    await delay(Math.min(left, 1000), undefined, { signal: io.signal })
  }
}
