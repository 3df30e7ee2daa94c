// The live view of the load while the canary moves. On a terminal: one line redrawn several
// times a second (a bar of the v2 share over the last answers, req/s, errors). Otherwise (a
// pipe, a CI log): a plain line every second, no escape codes.
import { clearInterval, setInterval } from 'node:timers'

const tty = Boolean(process.stdout.isTTY)

/** Bold on a terminal, as is elsewhere. */
export const bold = (s) => (tty ? `\x1b[1m${s}\x1b[0m` : s)

const pct = (part, whole) => (whole === 0 ? 0 : (100 * part) / whole)

export class LiveDisplay {
  /**
   * Shows `load.snapshot()` with `status()` (`{ label, errors }`: the step's name and its error
   * count) until `stop()`.
   */
  constructor(load, status) {
    this.load = load
    this.status = status
    this.drawn = false
    this.timer = setInterval(() => this.#tick(), tty ? 150 : 1000)
  }

  /** Prints `text` above the live line (which is redrawn below it). */
  print(text) {
    this.#clear()
    process.stdout.write(`${text}\n`)
    if (tty) this.#tick()
  }

  stop() {
    clearInterval(this.timer)
    this.#clear()
  }

  #tick() {
    const s = this.load.snapshot()
    const { label, errors } = this.status()
    const share = pct(s.v2, s.size)
    const rate = Math.round(s.rate)
    if (!tty) {
      const last = `${share.toFixed(1)}% v2 over the last ${s.size} answers`
      process.stdout.write(`  live (${label}): ${last}, ${rate} req/s, errors ${errors}\n`)
      return
    }
    const width = 30
    const fill = Math.round((width * share) / 100)
    const bar = `${'█'.repeat(fill)}${'░'.repeat(width - fill)}`
    const line =
      `  ${label}  ▕${bar}▏ v2 ${share.toFixed(1).padStart(5)}% of last ${s.size}` +
      `  ${String(rate).padStart(5)} req/s  errors ${errors}`
    const columns = process.stdout.columns || 100
    process.stdout.write(`\r\x1b[2K${line.slice(0, columns - 1)}`)
    this.drawn = true
  }

  #clear() {
    if (tty && this.drawn) process.stdout.write('\r\x1b[2K')
    this.drawn = false
  }
}

/** The line a step ends with (e2e/demo.e2e.test.ts parses it). */
export function stepLine(percent, tally, seconds) {
  const share = (k) => pct(tally[k], tally.n).toFixed(1).padStart(5)
  const rate = Math.round(tally.n / seconds)
  return (
    `canary ${String(percent).padStart(3)}%  ${tally.n} requests: v1 ${share('v1')}%  v2 ${share('v2')}%` +
    `  (${rate} req/s)  errors: ${tally.errors}`
  )
}
