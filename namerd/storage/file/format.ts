/**
 * The `io.l5d.file` data file: one JSON document with every namespace,
 *
 *   { "format": 1, "rev": "7",
 *     "namespaces": { "default": { "dtab": "/svc=>/#/io.l5d.fs", "version": "3", "rev": "7" } } }
 *
 * Counters are decimal strings (they are 64-bit). `rev` at the top is the last rev the store
 * gave out, deletions included, so a restarted namerd never gives out a rev twice.
 */
import { validNamespace } from '../errors.js'
import { StoreCorruptError } from './errors.js'

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
}

export const FORMAT = 1
const MAX = 2n ** 63n - 1n

/** The file's text for `s` (namespaces sorted, so the file diffs well). */
export function encode(s: FileState): string {
  const names = [...s.namespaces.keys()].sort()
  const namespaces = Object.fromEntries(
    names.map((ns) => {
      const e = s.namespaces.get(ns) as Entry
      return [ns, { dtab: e.text, version: e.n.toString(), rev: e.rev.toString() }]
    }),
  )
  return `${JSON.stringify({ format: FORMAT, rev: s.rev.toString(), namespaces }, null, 2)}\n`
}

/** Reads the file's text; anything not of the shape above is a `StoreCorruptError`. */
export function decode(text: string, path: string): FileState {
  const bad = (detail: string, cause?: unknown): StoreCorruptError =>
    new StoreCorruptError(path, detail, cause === undefined ? undefined : { cause })
  let doc: unknown
  try {
    doc = JSON.parse(text)
  } catch (e) {
    throw bad(text.trim() === '' ? 'the file is empty' : 'not JSON', e)
  }
  if (!isObject(doc)) throw bad('not a JSON object')
  if (doc['format'] !== FORMAT) {
    throw bad(`unsupported format ${JSON.stringify(doc['format'])} (this namerd reads ${FORMAT})`)
  }
  const rev = counter(doc['rev'], 'rev', bad)
  const raw = doc['namespaces']
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
  return { rev, namespaces }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

function counter(v: unknown, at: string, bad: (detail: string) => Error): bigint {
  if (typeof v !== 'string' || !/^[0-9]{1,19}$/.test(v) || BigInt(v) > MAX) {
    throw bad(`${at} is not a counter (a decimal string): ${JSON.stringify(v)}`)
  }
  return BigInt(v)
}
