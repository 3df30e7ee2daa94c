import { errorMessage } from '../lib/errors.js'
import { entriesOf, type VersionedDtab } from './dtab-api.js'

/** A document of a versioned dtab watch stream, or what to say about it. */
export type WatchDoc =
  | { readonly type: 'dtab'; readonly doc: VersionedDtab }
  | { readonly type: 'error'; readonly message: string }

/**
 * Reads a document of `GET /api/1/dtabs/NAME?watch=true` with `Accept:
 * application/vnd.namerd.versioned+json` (`line` is its text, for messages):
 * `{"version","dtab"}`, or an error to print for anything else. namerd's error lines never get
 * here unless malformed: the shared client reports them apart (`describeError`).
 */
export function readWatchDoc(doc: unknown, line: string): WatchDoc {
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) return unexpected(line)
  const o = doc as Record<string, unknown>
  if (o['error'] !== undefined) return { type: 'error', message: describeError(o['error']) }
  if (typeof o['version'] !== 'string') return unexpected(line)
  try {
    const reply = { status: 200, statusText: 'OK', headers: {}, body: line }
    return { type: 'dtab', doc: { version: o['version'], dtab: entriesOf(reply, o['dtab']) } }
  } catch (e) {
    return { type: 'error', message: errorMessage(e) }
  }
}

function unexpected(line: string): WatchDoc {
  return { type: 'error', message: `unexpected watch line: ${line}` }
}

/** `message (ERR_CODE)` of namerd's error line (`{"error":{"code","message"}}`). */
export function describeError(error: unknown): string {
  if (typeof error !== 'object' || error === null) return `namerd: ${String(error)}`
  const { code, message } = error as Record<string, unknown>
  const text = typeof message === 'string' ? message : JSON.stringify(error)
  return typeof code === 'string' ? `${text} (${code})` : text
}
