import { candidates } from './dtab-index.js'
import { WILDCARD, type Dentry, type Dtab, type Prefix } from './dentry.js'
import { mapTree, NEG, type NameTree } from './name-tree.js'
import { showElem, type Path } from './path.js'
import { showPathTree } from './show.js'

export { WILDCARD, type Dentry, type Dtab, type Prefix, type PrefixElem } from './dentry.js'

export const EMPTY_DTAB: Dtab = Object.freeze([])

/** True if every prefix element equals (or, for `*`, stands for) the path's element. */
export function prefixMatches(prefix: Prefix, path: Path): boolean {
  if (prefix.length > path.length) return false
  for (let i = 0; i < prefix.length; i++) {
    const p = prefix[i]
    if (p !== WILDCARD && p !== path[i]) return false
  }
  return true
}

/** `/a/*` style text of a prefix; `\x2a` (a label holding a `*` byte) stays escaped. */
export function showPrefix(prefix: Prefix): string {
  if (prefix.length === 0) return '/'
  let out = ''
  for (const e of prefix) out += '/' + (e === WILDCARD ? '*' : showElem(e))
  return out
}

/** `prefix=>dst`, no spaces (Finagle `Dentry.show`). */
export function showDentry(d: Dentry): string {
  return `${showPrefix(d.prefix)}=>${showPathTree(d.dst)}`
}

/** Dentries joined with `;`, no trailing `;`; the empty dtab shows as the empty string. */
export function showDtab(dtab: Dtab): string {
  return dtab.map(showDentry).join(';')
}

/** `base ++ local`: list concatenation, so `local`'s dentries take precedence. */
export function concatDtabs(base: Dtab, local: Dtab): Dtab {
  if (local.length === 0) return base
  if (base.length === 0) return local
  return [...base, ...local]
}

/** A dentry's destination with the residual of `path` appended to every leaf. */
export function rewrite(d: Dentry, path: Path): NameTree<Path> {
  const residual = path.slice(d.prefix.length)
  if (residual.length === 0) return d.dst
  return mapTree(d.dst, (q) => ({ type: 'leaf', value: [...q, ...residual] }))
}

/**
 * Finagle's `Dtab.lookup`: every dentry whose prefix matches contributes its rewritten
 * destination, the last dentry first. No match is Neg; one match is that tree; several are
 * an Alt of them in reverse dtab order.
 */
export function lookup(dtab: Dtab, path: Path): NameTree<Path> {
  let first: NameTree<Path> | undefined
  let more: NameTree<Path>[] | undefined
  for (const d of matchingDentries(dtab, path)) {
    const t = rewrite(d, path)
    if (first === undefined) first = t
    else (more ??= [first]).push(t)
  }
  if (more !== undefined) return { type: 'alt', trees: more }
  return first ?? NEG
}

/** The matching dentries of `path`, last first (what `lookup` combines). */
export function matchingDentries(dtab: Dtab, path: Path): Dentry[] {
  const out: Dentry[] = []
  const indexed = candidates(dtab, path)
  if (indexed !== undefined) {
    for (const i of indexed) out.push(dtab[i] as Dentry)
    return out
  }
  for (let i = dtab.length - 1; i >= 0; i--) {
    const d = dtab[i] as Dentry
    if (prefixMatches(d.prefix, path)) out.push(d)
  }
  return out
}

/** The `nop` dentry `/\x2f => ~` that linkerd uses to mean "no dentry". */
export const NOP_DENTRY: Dentry = Object.freeze({ prefix: ['/'], dst: NEG })

/** namerd's JSON dtab form: `[{"prefix": show, "dst": show}]`. */
export function dtabToJson(dtab: Dtab): { prefix: string; dst: string }[] {
  return dtab.map((d) => ({ prefix: showPrefix(d.prefix), dst: showPathTree(d.dst) }))
}
