/**
 * How a shift shows itself: one plain line per event (what a log or CI keeps), `--json` one JSON
 * line per event for scripts, and on a terminal a live line counting down the interval being
 * watched, rewritten in place and cleared before the next event line.
 */
import { withoutControls } from '../../lib/control-characters.js'
import { pct } from './gates.js'
import type { ShiftEvent, Shown } from './walk.js'

/** Where a shift's output goes. */
export interface Screen {
  out(text: string): void
  /** A terminal: the live line may be drawn. */
  readonly live: boolean
  readonly json: boolean
}

/** Prints one event (the live line, if any, cleared first). */
export function show(screen: Screen, e: ShiftEvent): void {
  if (screen.json) return screen.out(`${JSON.stringify(e)}\n`)
  // Reasons may quote a router's or Prometheus's words: no control character reaches the terminal.
  const text = withoutControls(line(e))
  screen.out(`${screen.live ? '\r\x1b[K' : ''}${text}\n`)
}

/** The live line: the step watched and the time left in its interval. */
export function drawLive(screen: Screen, text: string): void {
  if (screen.live && !screen.json) screen.out(`\r\x1b[K${text}`)
}

function line(e: ShiftEvent): string {
  switch (e.event) {
    case 'start':
      return `shift ${e.prefix} in ${e.name} from ${e.from} to ${e.to}: steps ${e.steps.join(', ')} % every ${e.intervalMs / 1000} s; canary ${e.canary.join(', ')}; baseline ${e.baseline.join(', ')}`
    case 'step':
      return `step ${e.step} of ${e.of}: ${e.weight}% to the canary (version ${e.version})`
    case 'gate':
      return `  ${e.verdict}${e.reason === undefined ? '' : `: ${e.reason}`} | canary ${figures(e.canary)} | baseline ${figures(e.baseline)}`
    case 'rollback':
      return `rolled back at ${e.weight}% (step ${e.step}): ${e.reason} (version ${e.version})`
    case 'done':
      return `done: all traffic of the prefix goes to the canary (version ${e.version})`
  }
}

function figures(f: Shown): string {
  const p99 = f.p99Ms === undefined ? '-' : `${Number(f.p99Ms.toFixed(1))} ms`
  return `${f.requests} requests, ${pct(f.success)} success, p99 ${p99}`
}
