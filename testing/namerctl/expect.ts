/**
 * What namerctl should print, computed from the rules of docs/namerctl.md (never by calling
 * namerctl's code): `get`'s pretty and one-line forms, `diff` lines, `set` messages.
 */
import {
  dtabToJson,
  readDtab,
  readNameTree,
  readPrefix,
  showPathTree,
  showPrefix,
} from '../../dtabs/index.js'
import type { JsonDentry, Stored } from './namerd-api.js'

/**
 * linkerd's pretty form: `# version <v>`, then for each dentry
 * `${prefix}  ${'=>'.padStart(max - prefix.length + 2)} ${dst} ;` (max: the longest prefix).
 */
export function pretty(s: Stored): string {
  const max = Math.max(0, ...s.dtab.map((d) => d.prefix.length))
  const lines = s.dtab.map(
    (d) => `${d.prefix}  ${'=>'.padStart(max - d.prefix.length + 2)} ${d.dst} ;`,
  )
  return [`# version ${s.version}`, ...lines].map((l) => `${l}\n`).join('')
}

/** linkerd's `--pretty=false` form: `p=>d;p2=>d2;`, one line. */
export function oneLine(dtab: readonly JsonDentry[]): string {
  return `${dtab.map((d) => `${d.prefix}=>${d.dst};`).join('')}\n`
}

/** `get --json`: `{"version","dtab"}`. */
export function getJson(s: Stored): string {
  return `${JSON.stringify({ version: s.version, dtab: s.dtab })}\n`
}

/** namerd's JSON dentries for dtab text (what namerd should hold after a write of `text`). */
export function json(text: string): JsonDentry[] {
  return dtabToJson(readDtab(text))
}

/** The canonical show form of a dentry, as `diff` prints it: `prefix => dst`. */
export function dentryText(d: JsonDentry): string {
  return `${d.prefix} => ${d.dst}`
}

/** `diff` output lines from (op, dentry text) pairs. */
export function diffLines(changes: readonly (readonly [' ' | '-' | '+', string])[]): string {
  return changes.map(([op, d]) => `${op} ${d}\n`).join('')
}

/** `set`'s confirmation: `Updated NAME: <prefix> => <dst>` in canonical form. */
export function setMessage(ns: string, prefix: string, dst: string): string {
  return `Updated ${ns}: ${showPrefix(readPrefix(prefix))} => ${showPathTree(readNameTree(dst))}\n`
}

/** The update conflict message (after `namerctl: `, one line on stderr). */
export function conflict(ns: string, version: string): string {
  return `dtab ${ns} changed since version ${version}; re-read it (namerctl dtab get ${ns}) or use --force`
}
