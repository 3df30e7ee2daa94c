/**
 * Seeded random generators for property tests and benchmarks of the dtab language: paths,
 * prefixes, name trees and dtabs as values, valid but non-canonical texts for them, and a
 * mutator that turns a text into a nasty (usually invalid) variant. Everything is a pure
 * function of the `Rng`, so a seed reproduces a run exactly.
 */
import { WILDCARD, type Dentry, type Dtab, type Prefix, type PrefixElem } from '../dtabs/dtab.js'
import { EMPTY, FAIL, NEG, type NameTree, type Weighted } from '../dtabs/name-tree.js'
import type { Path } from '../dtabs/path.js'

/** A small deterministic PRNG (mulberry32) with the helpers the generators need. */
export interface Rng {
  /** A uniform integer in [0, 2^32). */
  u32(): number
  /** A uniform integer in [0, n). */
  int(n: number): number
  /** A uniform integer in [lo, hi]. */
  range(lo: number, hi: number): number
  /** True with probability `p`. */
  chance(p: number): boolean
  pick<T>(items: readonly T[]): T
}

/** A mulberry32 generator; the same seed always gives the same sequence. */
export function makeRng(seed: number): Rng {
  let state = seed >>> 0
  const u32 = (): number => {
    state = (state + 0x6d2b79f5) >>> 0
    let z = state
    z = Math.imul(z ^ (z >>> 15), z | 1)
    z ^= z + Math.imul(z ^ (z >>> 7), z | 61)
    return (z ^ (z >>> 14)) >>> 0
  }
  const int = (n: number): number => Math.floor((u32() / 2 ** 32) * n)
  return {
    u32,
    int,
    range: (lo, hi) => lo + int(hi - lo + 1),
    chance: (p) => u32() / 2 ** 32 < p,
    pick: <T>(items: readonly T[]): T => items[int(items.length)] as T,
  }
}

/**
 * The 69 characters a label may hold unescaped (docs/dtab-semantics.md §1.2), typed out
 * independently.
 */
export const SHOWABLE_CHARS =
  '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_:.#$%-'

/** Bytes that are not showable and matter to the grammar. */
const AWKWARD_BYTES = [0x00, 0x20, 0x2a, 0x2f, 0x5c, 0x7f, 0x80, 0xa0, 0xff, 0x7c, 0x26, 0x3b]

function showableString(r: Rng, min: number, max: number): string {
  let s = ''
  for (let n = r.range(min, max); n > 0; n--)
    s += SHOWABLE_CHARS.charAt(r.int(SHOWABLE_CHARS.length))
  return s
}

/** A path element (a non-empty byte string): showable text, arbitrary bytes, or a mix. */
export function randomElem(r: Rng): string {
  const kind = r.int(10)
  if (kind < 6) return showableString(r, 1, 8)
  if (kind < 8) {
    let s = ''
    for (let n = r.range(1, 6); n > 0; n--) s += String.fromCharCode(r.int(256))
    return s
  }
  const s = showableString(r, 0, 4)
  const at = r.int(s.length + 1)
  return s.slice(0, at) + String.fromCharCode(r.pick(AWKWARD_BYTES)) + s.slice(at)
}

/** A path of 0 to `maxLen` random elements. */
export function randomPath(r: Rng, maxLen = 5): Path {
  const path: string[] = []
  for (let n = r.int(maxLen + 1); n > 0; n--) path.push(randomElem(r))
  return path
}

/** A dentry prefix of 0 to `maxLen` elements, about a quarter of them `*`. */
export function randomPrefix(r: Rng, maxLen = 4): Prefix {
  const prefix: PrefixElem[] = []
  for (let n = r.int(maxLen + 1); n > 0; n--) {
    prefix.push(r.chance(0.25) ? WILDCARD : r.chance(0.05) ? '*' : randomElem(r))
  }
  return prefix
}

/** A weight with at most two decimals (`k / 100`), 1.0 about a third of the time. */
export function weight2(r: Rng): number {
  if (r.chance(0.3)) return 1
  return r.int(r.chance(0.8) ? 1000 : 100_000_000) / 100
}

/**
 * A weight of any size and precision (a six-digit decimal, sometimes plus a power of ten up
 * to 1e22), never in [0.995, 1.005) unless exactly 1: those print as `1.00`, which reads
 * back as 1.0 and is then omitted, so show∘read is not idempotent on them.
 */
export function weightAny(r: Rng): number {
  if (r.chance(0.2)) return 1
  const w = r.range(0, 999_999) / 10 ** r.int(7) + r.int(3) * 10 ** r.int(23)
  return w >= 0.995 && w < 1.005 ? 2 : w
}

/** Options of `randomTree`. */
export interface TreeOptions {
  /** Maximum nesting of Alt/Union nodes. */
  readonly depth: number
  /** The weight of each union member. */
  readonly weight?: (r: Rng) => number
  /** Allow Alt and Union nodes with zero or one child (not readable from text). */
  readonly singles?: boolean
  /** Maximum length of leaf paths. */
  readonly pathLen?: number
}

/** A random tree over paths; without `singles`, every Alt/Union has 2 to 4 children. */
export function randomTree(r: Rng, opts: TreeOptions, depth = opts.depth): NameTree<Path> {
  if (depth <= 0 || r.chance(0.35)) return randomTerminal(r, opts)
  const n = opts.singles ? r.int(5) : r.range(2, 4)
  if (r.chance(0.5)) {
    const trees: NameTree<Path>[] = []
    for (let i = 0; i < n; i++) trees.push(randomTree(r, opts, depth - 1))
    return { type: 'alt', trees }
  }
  const weight = opts.weight ?? weight2
  const trees: Weighted<Path>[] = []
  for (let i = 0; i < n; i++)
    trees.push({ weight: weight(r), tree: randomTree(r, opts, depth - 1) })
  return { type: 'union', trees }
}

function randomTerminal(r: Rng, opts: TreeOptions): NameTree<Path> {
  const k = r.int(10)
  if (k < 7) return { type: 'leaf', value: randomPath(r, opts.pathLen ?? 4) }
  return k === 7 ? NEG : k === 8 ? FAIL : EMPTY
}

/** A dtab of 0 to `maxLen` dentries with random prefixes and trees. */
export function randomDtab(r: Rng, opts: TreeOptions, maxLen = 5): Dtab {
  const dtab: Dentry[] = []
  for (let n = r.int(maxLen + 1); n > 0; n--) {
    dtab.push({ prefix: randomPrefix(r), dst: randomTree(r, opts) })
  }
  return dtab
}

/**
 * Java whitespace code units (docs/dtab-semantics.md §1.4), including some that JavaScript's
 * `\s` lacks.
 */
export const JAVA_WHITESPACE = [
  ' ',
  '\t',
  '\n',
  '\r',
  '\u000b',
  '\f',
  '\u001c',
  '\u001d',
  '\u001e',
  '\u001f',
  '\u1680',
  '\u2000',
  '\u2003',
  '\u200a',
  '\u2028',
  '\u2029',
  '\u205f',
  '\u3000',
]

/** Optional whitespace, sometimes with a `#` comment (always after a whitespace unit). */
export function noisyWhitespace(r: Rng): string {
  if (r.chance(0.5)) return ''
  let s = ''
  for (let n = r.range(1, 3); n > 0; n--) s += r.pick(JAVA_WHITESPACE)
  if (r.chance(0.2)) s += ` # ${showableString(r, 0, 6)};|&()=>\u00a0\u{1F600}\n`
  return s
}

const HEX_DIGITS = '0123456789abcdef'

/** An element as text, each showable byte raw or (sometimes) escaped, in either hex case. */
export function noisyElem(elem: string): (r: Rng) => string {
  return (r) => {
    let s = ''
    for (const c of elem) {
      const b = c.charCodeAt(0)
      if (SHOWABLE_CHARS.includes(c) && r.chance(0.85)) s += c
      else s += '\\x' + hexDigit(r, b >> 4) + hexDigit(r, b & 15)
    }
    return s
  }
}

function hexDigit(r: Rng, v: number): string {
  const d = HEX_DIGITS.charAt(v)
  return r.chance(0.5) ? d.toUpperCase() : d
}

/** A path as valid text that reads back as `path` (no surrounding whitespace). */
export function noisyPath(r: Rng, path: Path): string {
  if (path.length === 0) return '/'
  return path.map((e) => '/' + noisyElem(e)(r)).join('')
}

/** A prefix as valid text that reads back as `prefix`. */
export function noisyPrefix(r: Rng, prefix: Prefix): string {
  if (prefix.length === 0) return '/'
  return prefix.map((e) => '/' + (e === WILDCARD ? '*' : noisyElem(e)(r))).join('')
}

/**
 * A valid text that reads back as exactly `tree` (which must have no zero- or one-child
 * nodes and weights that `String()` prints without an exponent): random whitespace and
 * comments, escapes, redundant parentheses, and discarded weights on lone members.
 */
export function noisyTree(r: Rng, tree: NameTree<Path>): string {
  if (tree.type !== 'alt') return noisyAltChild(r, tree)
  return joinNoisily(
    r,
    '|',
    tree.trees.map((c) => noisyAltChild(r, c)),
  )
}

function joinNoisily(r: Rng, sep: string, parts: readonly string[]): string {
  return parts.reduce((acc, part) => acc + noisyWhitespace(r) + sep + part)
}

function noisyAltChild(r: Rng, tree: NameTree<Path>): string {
  const ws = (): string => noisyWhitespace(r)
  if (tree.type === 'union') {
    return joinNoisily(
      r,
      '&',
      tree.trees.map((m) => ws() + noisyMember(r, m)),
    )
  }
  // A lone weighted term is not a union: its weight is discarded.
  const weight = r.chance(0.1) ? noisyNumber(r, weight2(r)) + ws() + '*' : ''
  return ws() + weight + noisySimple(r, tree)
}

function noisyMember(r: Rng, m: Weighted<Path>): string {
  const ws = (): string => noisyWhitespace(r)
  const weight = m.weight === 1 && r.chance(0.5) ? '' : noisyNumber(r, m.weight) + ws() + '*'
  return weight + noisySimple(r, m.tree)
}

function noisySimple(r: Rng, tree: NameTree<Path>): string {
  const ws = (): string => noisyWhitespace(r)
  switch (tree.type) {
    case 'alt':
    case 'union':
      return ws() + '(' + noisyTree(r, tree) + ws() + ')'
    default: {
      const text = ws() + terminalText(r, tree)
      return r.chance(0.1) ? ws() + '(' + text + ws() + ')' : text
    }
  }
}

function terminalText(r: Rng, tree: NameTree<Path>): string {
  switch (tree.type) {
    case 'leaf':
      return noisyPath(r, tree.value)
    case 'neg':
      return '~'
    case 'fail':
      return '!'
    case 'empty':
      return '$'
    default:
      throw new RangeError(`not a terminal: ${tree.type}`)
  }
}

/** A decimal text that `Number()` (and Java's `parseDouble`) reads as exactly `w`. */
export function noisyNumber(r: Rng, w: number): string {
  let s = String(w)
  if (/e/.test(s)) throw new RangeError(`weight ${s} needs an exponent`)
  if (r.chance(0.2)) s = '0'.repeat(r.range(1, 3)) + s
  if (!s.includes('.')) return r.chance(0.2) ? s + '.' + '0'.repeat(r.int(3)) : s
  if (r.chance(0.2)) s += '0'.repeat(r.range(1, 3))
  return r.chance(0.3) ? s.replace(/^0+\./, '.') : s
}

/** A dentry as valid text that reads back as `d`. */
export function noisyDentry(r: Rng, d: Dentry): string {
  const ws = (): string => noisyWhitespace(r)
  return noisyPrefix(r, d.prefix) + ws() + '=>' + ws() + noisyTree(r, d.dst)
}

/** A dtab as valid text that reads back as `dtab`, with an optional trailing `;`. */
export function noisyDtab(r: Rng, dtab: Dtab): string {
  const ws = (): string => noisyWhitespace(r)
  if (dtab.length === 0) return ws()
  const body = dtab.map((d) => ws() + noisyDentry(r, d) + ws()).join(';')
  return body + (r.chance(0.3) ? ';' + ws() : '')
}

/** Characters the mutator inserts: grammar tokens, look-alikes, and non-ASCII traps. */
export const NASTY_CHARS = [
  '/',
  '\\',
  'x',
  'X',
  'f',
  'a',
  '*',
  '(',
  ')',
  '|',
  '&',
  ';',
  '=',
  '>',
  '#',
  '~',
  '!',
  '$',
  '.',
  '0',
  '1',
  '5',
  '9',
  ' ',
  '\n',
  '\t',
  '\u00a0',
  '\u2028',
  '\ufeff',
  '\u0085',
  '\u{1F600}',
  '\ud800',
  '\u0663',
]

/** A string of up to `maxLen` nasty characters, or of arbitrary UTF-16 code units. */
export function randomJunk(r: Rng, maxLen = 40): string {
  let s = ''
  const wild = r.chance(0.2)
  for (let n = r.int(maxLen + 1); n > 0; n--) {
    s += wild ? String.fromCharCode(r.int(0x10000)) : r.pick(NASTY_CHARS)
  }
  return s
}

/** `text` after 1 to 4 random edits: insert, delete, replace, duplicate a slice, truncate. */
export function mutate(r: Rng, text: string): string {
  let s = text
  for (let n = r.range(1, 4); n > 0; n--) s = mutateOnce(r, s)
  return s
}

function mutateOnce(r: Rng, s: string): string {
  const at = r.int(s.length + 1)
  switch (r.int(6)) {
    case 0:
      return s.slice(0, at) + r.pick(NASTY_CHARS) + s.slice(at)
    case 1:
      return s.slice(0, at) + s.slice(at + r.range(1, 4))
    case 2:
      return s.slice(0, at) + r.pick(NASTY_CHARS) + s.slice(at + 1)
    case 3: {
      const from = r.int(s.length + 1)
      const slice = s.slice(from, from + r.range(1, 12))
      return s.slice(0, at) + slice.repeat(r.range(1, 3)) + s.slice(at)
    }
    case 4:
      return s.slice(0, at)
    default:
      return s.slice(0, at) + randomJunk(r, 3) + s.slice(at)
  }
}

/** Floats in [0, 1) from a mulberry32 generator (a seeded `Math.random` for tests). */
export function seededRandom(seed: number): () => number {
  const rng = makeRng(seed)
  return () => rng.u32() / 2 ** 32
}
