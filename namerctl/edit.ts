import { showPrefix, type Dentry, type Dtab, type Prefix } from '../dtabs/index.js'

/**
 * Single-dentry edits of a dtab, pure: the dtab is never changed, a new one is returned.
 * Prefixes are compared in canonical show form (`/svc/*` equals `/svc/*`, `/a` never `/a/b`).
 */
function samePrefix(a: Prefix, b: Prefix): boolean {
  return showPrefix(a) === showPrefix(b)
}

/** The dentry that takes precedence for `prefix` (the last with it), if any. */
export function dentryFor(dtab: Dtab, prefix: Prefix): Dentry | undefined {
  return dtab.findLast((d) => samePrefix(d.prefix, prefix))
}

/**
 * `set`: if dentries with the same prefix exist, the LAST of them (the one that takes
 * precedence) gets the new destination and earlier ones are left alone; otherwise the dentry
 * is appended (so it takes precedence over every other).
 */
export function setDentry(dtab: Dtab, dentry: Dentry): Dtab {
  const last = dtab.findLastIndex((d) => samePrefix(d.prefix, dentry.prefix))
  if (last === -1) return [...dtab, dentry]
  return dtab.map((d, i) => (i === last ? { prefix: d.prefix, dst: dentry.dst } : d))
}

/** `rm-entry`: every dentry with that prefix removed; `undefined` if there was none. */
export function removePrefix(dtab: Dtab, prefix: Prefix): Dtab | undefined {
  const kept = dtab.filter((d) => !samePrefix(d.prefix, prefix))
  return kept.length === dtab.length ? undefined : kept
}
