/**
 * The `io.l5d.file` data file: one JSON document with every namespace and its history,
 *
 *   { "format": 2, "rev": "7",
 *     "namespaces": { "default": { "dtab": "/svc=>/#/io.l5d.fs", "version": "3", "rev": "7" } },
 *     "history": { "default": [ … ] } }
 *
 * Counters are decimal strings (they are 64-bit). `rev` at the top is the last rev the store
 * gave out, deletions included, so a restarted namerd never gives out a rev twice. `history` is
 * described in history.ts. Format 1 (before history) is the same without `history`: it still
 * reads, with no history, and the first write turns it into format 2.
 */
import { validNamespace } from '../errors.js'
import { StoreCorruptError } from './errors.js'
import { counter, isObject } from './fields.js'
import { decodeHistory, encodeHistory, shed, type History } from './history.js'

/** One namespace: its text, its version counter (the ETag's number) and its rev. */
export interface Entry {
  readonly text: string
  readonly n: bigint
  readonly rev: bigint
}

/** Everything the file holds. */
export interface FileState {
  readonly rev: bigint
  readonly namespaces: ReadonlyMap<string, Entry>
  readonly history: History
}

export const FORMAT = 2
/** The formats this namerd reads. */
const READS = [1, 2]

/** The file's text for `s` (namespaces sorted, so the file diffs well). */
export function encode(s: FileState): string {
  const names = [...s.namespaces.keys()].sort()
  const namespaces = Object.fromEntries(
    names.map((ns) => {
      const e = s.namespaces.get(ns) as Entry
      return [ns, { dtab: e.text, version: e.n.toString(), rev: e.rev.toString() }]
    }),
  )
  const history = encodeHistory(s.history)
  const doc = { format: FORMAT, rev: s.rev.toString(), namespaces, history }
  return `${JSON.stringify(doc, null, 2)}\n`
}

/**
 * `encode(s)`, first shedding the oldest history (never the entry of the write `s.rev`) while
 * the text would be over `budget` bytes; `state` is what was encoded, `dropped` the entries shed.
 */
export function encodeWithin(
  s: FileState,
  budget: number,
): { readonly state: FileState; readonly text: string; readonly dropped: number } {
  let state = s
  let dropped = 0
  for (;;) {
    const text = encode(state)
    const over = Buffer.byteLength(text) - budget
    const cut = over > 0 ? shed(state.history, state.rev, over) : undefined
    if (cut === undefined || cut.dropped === 0) return { state, text, dropped }
    state = { ...state, history: cut.history }
    dropped += cut.dropped
  }
}

/**
 * Reads the file's text; anything not of the shape above is a `StoreCorruptError`, except in
 * `history`, whose entries that do not read are left out and listed in `skipped`.
 */
export function decode(
  text: string,
  path: string,
): { readonly state: FileState; readonly skipped: string[] } {
  const bad = (detail: string, cause?: unknown): StoreCorruptError =>
    new StoreCorruptError(path, detail, cause === undefined ? undefined : { cause })
  let doc: unknown
  try {
    doc = JSON.parse(text)
  } catch (e) {
    throw bad(text.trim() === '' ? 'the file is empty' : 'not JSON', e)
  }
  if (!isObject(doc)) throw bad('not a JSON object')
  if (!READS.includes(doc['format'] as number)) {
    throw bad(`unsupported format ${JSON.stringify(doc['format'])} (this namerd reads 1 and 2)`)
  }
  const rev = counter(doc['rev'], 'rev', bad)
  const namespaces = decodeNamespaces(doc['namespaces'], rev, bad)
  const { history, skipped } = decodeHistory(doc['format'] === 1 ? undefined : doc['history'], rev)
  return { state: { rev, namespaces, history }, skipped }
}

function decodeNamespaces(
  raw: unknown,
  rev: bigint,
  bad: (detail: string) => Error,
): Map<string, Entry> {
  if (!isObject(raw)) throw bad('"namespaces" is not an object')
  const namespaces = new Map<string, Entry>()
  for (const [ns, value] of Object.entries(raw)) {
    const at = `namespaces.${ns}`
    if (!validNamespace(ns)) throw bad(`invalid namespace name ${JSON.stringify(ns)}`)
    if (!isObject(value) || typeof value['dtab'] !== 'string')
      throw bad(`${at}.dtab is not a string`)
    const n = counter(value['version'], `${at}.version`, bad)
    const nsRev = counter(value['rev'], `${at}.rev`, bad)
    if (n < 1n || nsRev < 1n) throw bad(`${at}: version and rev start at 1`)
    if (nsRev > rev) throw bad(`${at}.rev is above the file's rev ${rev}`)
    namespaces.set(ns, { text: value['dtab'], n, rev: nsRev })
  }
  return namespaces
}
