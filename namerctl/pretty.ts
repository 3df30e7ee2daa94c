import type { DtabEntry, VersionedDtab } from './dtab-api.js'

/**
 * linkerd namerctl's `dtab get` output: `# version <v>`, then one line per dentry with the
 * `=>` right-aligned so that all arrows line up after the longest prefix:
 * `${prefix}  ${'=>'.padStart(longest - prefix.length + 2)} ${dst} ;`. Feeding it back to
 * `update` works: `#` starts a comment in the dtab language.
 */
export function prettyDtab(d: VersionedDtab): string {
  const longest = d.dtab.reduce((max, e) => Math.max(max, e.prefix.length), 0)
  const lines = d.dtab.map(
    (e) => `${e.prefix}  ${'=>'.padStart(longest - e.prefix.length + 2)} ${e.dst} ;`,
  )
  return [`# version ${d.version}`, ...lines].join('\n') + '\n'
}

/** linkerd's `get --pretty=false`: `p=>d;p2=>d2;` on one line. */
export function oneLineDtab(entries: readonly DtabEntry[]): string {
  return entries.map((e) => `${e.prefix}=>${e.dst};`).join('') + '\n'
}

/** `get --json`: `{"version":"<v>","dtab":[{"prefix","dst"}]}` and a newline. */
export function versionedJson(d: VersionedDtab): string {
  return JSON.stringify({ version: d.version, dtab: d.dtab }) + '\n'
}
