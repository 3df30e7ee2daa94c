/**
 * A `Log` that keeps its lines in memory, for tests of what a component logs (reloads, warnings)
 * without a process to read the output of.
 */
import type { Log, LogFields } from '../lib/log.js'

export interface LoggedLine {
  readonly level: string
  readonly msg: string
  readonly fields?: LogFields
}

/** A log whose `lines` are every line logged, in order. */
export function recordingLog(): Log & { readonly lines: LoggedLine[] } {
  const lines: LoggedLine[] = []
  const at = (level: string) => (msg: string, fields?: LogFields) =>
    void lines.push({ level, msg, ...(fields ? { fields } : {}) })
  return { lines, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') }
}
