import { errorMessage } from '../lib/errors.js'
import { entriesOf, type VersionedDtab } from './dtab-api.js'

/** Complete lines of `buffered + chunk`, and the unfinished rest to keep for the next chunk. */
export function splitLines(buffered: string, chunk: string): { lines: string[]; rest: string } {
  const parts = (buffered + chunk).split('\n')
  const rest = parts.pop() ?? ''
  return { lines: parts.map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l)), rest }
}

/** One line of a versioned dtab watch stream. */
export type WatchLine =
  | { readonly type: 'heartbeat' }
  | { readonly type: 'dtab'; readonly doc: VersionedDtab }
  | { readonly type: 'error'; readonly message: string }

/**
 * Reads a line of `GET /api/1/dtabs/NAME?watch=true` with `Accept:
 * application/vnd.namerd.versioned+json`: blank (a heartbeat), `{"version","dtab"}`, or
 * namerd's `{"error":{"code","message"}}`. Anything else is reported as an error line.
 */
export function parseWatchLine(line: string): WatchLine {
  if (line.trim() === '') return { type: 'heartbeat' }
  let v: unknown
  try {
    v = JSON.parse(line)
  } catch (e) {
    return { type: 'error', message: `unexpected watch line (${errorMessage(e)}): ${line}` }
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v))
    return { type: 'error', message: `unexpected watch line: ${line}` }
  const o = v as Record<string, unknown>
  if (o['error'] !== undefined) return { type: 'error', message: describeError(o['error']) }
  if (typeof o['version'] !== 'string')
    return { type: 'error', message: `unexpected watch line: ${line}` }
  try {
    const reply = { status: 200, statusText: 'OK', headers: new Headers(), body: line }
    return { type: 'dtab', doc: { version: o['version'], dtab: entriesOf(reply, o['dtab']) } }
  } catch (e) {
    return { type: 'error', message: errorMessage(e) }
  }
}

/** `message (ERR_CODE)` of namerd's error line. */
function describeError(error: unknown): string {
  if (typeof error !== 'object' || error === null) return `namerd: ${String(error)}`
  const { code, message } = error as Record<string, unknown>
  const text = typeof message === 'string' ? message : JSON.stringify(error)
  return typeof code === 'string' ? `${text} (${code})` : text
}
