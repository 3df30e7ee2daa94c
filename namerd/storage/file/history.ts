/**
 * The `history` section of the `io.l5d.file` data file (format 2): each namespace's past values,
 * oldest first, written in the same file replace as the change they record,
 *
 *   "history": { "default": [
 *     { "rev": "5", "version": "3", "dtab": "/svc=>/#/io.l5d.fs",
 *       "at": "2026-12-07T12:14:15.000Z", "by": "alice", "message": "move to fs" },
 *     { "rev": "7", "version": "3", "at": "2026-12-07T12:20:00.000Z" } ] }
 *
 * An entry without `dtab` is a deletion (`version`: the version deleted). `at` is namerd's
 * clock, as an ISO 8601 time so that the file reads well.
 *
 * Unlike the dtabs, a history entry that does not read is skipped (and reported), not a reason
 * to refuse to start: history is the record of past changes, not what namerd serves, and an
 * operator's slip while hand-editing the file must not take the dtabs down with it.
 */
import { validNamespace } from '../errors.js'
import { longVersion } from '../version.js'
import type { ChangeNote, HistoryEntry } from '../backend.js'
import { counter, isObject } from './fields.js'

/** One past value as the file keeps it (`n`: the version counter). */
export interface Past extends ChangeNote {
  readonly rev: bigint
  readonly n: bigint
  readonly text?: string
}

/** Namespace → its past values, oldest first, revs strictly increasing. */
export type History = ReadonlyMap<string, readonly Past[]>

/** The entry `rev` makes: `text` undefined for a deletion (of version `n`). */
export function pastOf(rev: bigint, n: bigint, text: string | undefined, note: ChangeNote): Past {
  return {
    rev,
    n,
    ...(text === undefined ? {} : { text }),
    at: note.at,
    ...(note.by === undefined ? {} : { by: note.by }),
    ...(note.message === undefined ? {} : { message: note.message }),
  }
}

/** What the backend contract shows of `p`. */
export function historyEntry(p: Past): HistoryEntry {
  const { n, ...rest } = p
  return { ...rest, version: longVersion(n) }
}

/** `h` with `p` added to `ns`'s entries, of which only the newest `size` are kept. */
export function remember(h: History, ns: string, p: Past, size: number): History {
  const next = new Map(h)
  next.set(ns, newest([...(h.get(ns) ?? []), p], size))
  return next
}

/** `h` with at most `size` entries per namespace (after `historySize` was lowered). */
export function keepNewest(h: History, size: number): History {
  return new Map([...h].map(([ns, entries]) => [ns, newest(entries, size)]))
}

function newest(entries: readonly Past[], size: number): readonly Past[] {
  return entries.slice(Math.max(0, entries.length - size))
}

/** The section's JSON value (namespaces sorted, so the file diffs well). */
export function encodeHistory(h: History): Record<string, unknown[]> {
  const names = [...h.keys()].filter((ns) => (h.get(ns) ?? []).length > 0).sort()
  return Object.fromEntries(names.map((ns) => [ns, (h.get(ns) ?? []).map(encodePast)]))
}

function encodePast(p: Past): Record<string, string> {
  return {
    rev: p.rev.toString(),
    version: p.n.toString(),
    ...(p.text === undefined ? {} : { dtab: p.text }),
    at: new Date(p.at).toISOString(),
    ...(p.by === undefined ? {} : { by: p.by }),
    ...(p.message === undefined ? {} : { message: p.message }),
  }
}

/**
 * Reads the section (`raw` undefined: a format-1 file, no history). Entries that do not read,
 * or whose rev is not above the previous entry's and at most the file's `fileRev`, are left out
 * and listed in `skipped`, each with its place (`history.<ns>[i]: …`).
 */
export function decodeHistory(
  raw: unknown,
  fileRev: bigint,
): { readonly history: History; readonly skipped: string[] } {
  const history = new Map<string, Past[]>()
  const skipped: string[] = []
  if (raw === undefined) return { history, skipped }
  if (!isObject(raw)) return { history, skipped: ['history: not an object'] }
  for (const [ns, entries] of Object.entries(raw)) {
    const at = `history.${ns}`
    if (!validNamespace(ns)) skipped.push(`${at}: invalid namespace name`)
    else if (!Array.isArray(entries)) skipped.push(`${at}: not a list`)
    else history.set(ns, readEntries(entries, at, fileRev, skipped))
  }
  return { history, skipped }
}

function readEntries(raw: unknown[], at: string, fileRev: bigint, skipped: string[]): Past[] {
  const kept: Past[] = []
  raw.forEach((value, i) => {
    try {
      const p = readPast(value, fileRev)
      const last = kept.at(-1)
      if (last !== undefined && p.rev <= last.rev) throw new Error('rev not above the previous')
      kept.push(p)
    } catch (e) {
      skipped.push(`${at}[${i}]: ${(e as Error).message}`)
    }
  })
  return kept
}

function readPast(v: unknown, fileRev: bigint): Past {
  const fail = (detail: string): Error => new Error(detail)
  if (!isObject(v)) throw fail('not an object')
  const rev = counter(v['rev'], 'rev', fail)
  const n = counter(v['version'], 'version', fail)
  if (rev < 1n || n < 1n) throw fail('version and rev start at 1')
  if (rev > fileRev) throw fail(`rev is above the file's rev ${fileRev}`)
  const at = typeof v['at'] === 'string' ? Date.parse(v['at']) : NaN
  if (!Number.isFinite(at)) throw fail(`at is not a time: ${JSON.stringify(v['at'])}`)
  const text = optionalString(v, 'dtab')
  const note = { at, by: optionalString(v, 'by'), message: optionalString(v, 'message') }
  return pastOf(rev, n, text, note)
}

function optionalString(v: Record<string, unknown>, key: string): string | undefined {
  const s = v[key]
  if (s !== undefined && typeof s !== 'string') throw new Error(`${key} is not a string`)
  return s
}

/**
 * `h` without its oldest entries (store-wide, by rev; never the entry of `keepRev`, the write
 * under way) that together take at least `bytes` in the file; `dropped` counts them.
 */
export function shed(
  h: History,
  keepRev: bigint,
  bytes: number,
): { readonly history: History; readonly dropped: number } {
  const all = [...h.values()].flat().filter((p) => p.rev !== keepRev)
  all.sort((a, b) => (a.rev < b.rev ? -1 : a.rev > b.rev ? 1 : 0))
  const gone = new Set<Past>()
  let freed = 0
  for (const p of all) {
    if (freed >= bytes) break
    gone.add(p)
    freed += fileBytes(p)
  }
  const history = new Map([...h].map(([ns, es]) => [ns, es.filter((p) => !gone.has(p))]))
  return { history, dropped: gone.size }
}

/** About what `p` takes in the file: its JSON and the indentation of its lines. */
function fileBytes(p: Past): number {
  return Buffer.byteLength(JSON.stringify(encodePast(p))) + 64
}
