/**
 * linkerd's `PathMatcher` (finagle-buoyant `PathMatcher.scala`): a path pattern whose segments
 * are labels, the wildcard `*` (any one segment) or labels with `{var}` captures, such as
 * `/#/io.l5d.fs/{service}` or `/foo/{host}.com/*`. A pattern matches every path that *starts*
 * with matching segments and gives the captured values; `substituteVars` fills them into a
 * template. Used by the `io.l5d.rewrite` namer and by `io.l5d.static` client and service configs.
 *
 * Differences from linkerd, on purpose: a segment with captures must match the whole element
 * (linkerd searches it unanchored, so `{a}.com` would also match `x.com.evil`); literal text is
 * compared byte for byte (linkerd compares with the shown element, so `\x41` never matched `A`);
 * a `*` against a path that is too short is no match (linkerd throws); and patterns are checked
 * when the config is read (empty segments, stray characters, `*` inside a segment are errors).
 */
import { ConfigError } from '../../lib/config/section.js'
import { isShowable, type Path } from '../../dtabs/index.js'

/** One pattern segment: any element, an exact element, or a regex with named captures. */
type Segment =
  | { readonly type: 'any' }
  | { readonly type: 'exact'; readonly elem: string }
  | { readonly type: 'capture'; readonly regex: RegExp; readonly names: readonly string[] }

/** A compiled pattern. `extract` never throws. */
export interface PathMatcher {
  /** The pattern as written in the config. */
  readonly pattern: string
  /** Every `{var}` name the pattern captures, in order of appearance. */
  readonly vars: readonly string[]
  /** The captured values if `path` starts with a match (captures in shown form), else undefined. */
  extract(path: Path): ReadonlyMap<string, string> | undefined
}

/** `{name}`: the names linkerd accepts (letters, digits, `_ . : -`). */
const CAPTURE = /\{([A-Za-z0-9_.:-]+)\}/g
const HEX = /^[0-9a-fA-F]{2}$/

/**
 * Compiles `pattern` (`/` alone matches every path). Throws a ConfigError at `at` for a
 * pattern that is not `/` followed by segments as described in the file header.
 */
export function readPathMatcher(pattern: string, at: string): PathMatcher {
  const bad = (why: string): ConfigError =>
    new ConfigError(at, `invalid path pattern ${JSON.stringify(pattern)}: ${why}`)
  if (!pattern.startsWith('/')) throw bad('it must start with "/"')
  const texts = pattern === '/' ? [] : pattern.slice(1).split('/')
  const segments = texts.map((text) => {
    const problem = segmentProblem(text)
    if (problem !== undefined) throw bad(problem)
    return compileSegment(text)
  })
  const vars = segments.flatMap((s) => (s.type === 'capture' ? s.names : []))
  return {
    pattern,
    vars,
    extract: (path) => extract(segments, path),
  }
}

function segmentProblem(text: string): string | undefined {
  if (text === '') return 'empty segment'
  if (text === '*') return undefined
  if (text.includes('*')) return '"*" must be a whole segment'
  const literal = text.replace(CAPTURE, '')
  if (/[{}]/.test(literal)) return `bad capture in segment "${text}" (write {name})`
  for (let i = 0; i < literal.length; i++) {
    if (literal[i] === '\\' && literal[i + 1] === 'x' && HEX.test(literal.slice(i + 2, i + 4))) {
      i += 3
    } else if (!isShowable(literal.charCodeAt(i))) {
      return `unexpected character ${JSON.stringify(literal[i])} in segment "${text}"`
    }
  }
  return undefined
}

function compileSegment(text: string): Segment {
  if (text === '*') return { type: 'any' }
  const names = [...text.matchAll(CAPTURE)].map((m) => m[1] as string)
  if (names.length === 0) return { type: 'exact', elem: unescapeLabel(text) }
  const source = text
    .split(CAPTURE)
    .map((part, i) => (i % 2 === 1 ? '(.*)' : escapeRegex(unescapeLabel(part))))
    .join('')
  return { type: 'capture', regex: new RegExp(`^${source}$`, 's'), names }
}

/** Label text (with `\xhh` escapes) as the element's bytes, one char per byte. */
function unescapeLabel(text: string): string {
  return text.replace(/\\x([0-9a-fA-F]{2})/g, (_, hex: string) =>
    String.fromCharCode(parseInt(hex, 16)),
  )
}

function escapeRegex(bytes: string): string {
  return bytes.replace(/[\\^$.*+?()[\]{}|/-]/g, '\\$&')
}

/** Bytes as label text: showable bytes as they are, others as `\xhh`; reads back the same. */
function showBytes(bytes: string): string {
  let out = ''
  for (let i = 0; i < bytes.length; i++) {
    const code = bytes.charCodeAt(i)
    out += isShowable(code) ? bytes[i] : `\\x${code.toString(16).padStart(2, '0')}`
  }
  return out
}

function extract(
  segments: readonly Segment[],
  path: Path,
): ReadonlyMap<string, string> | undefined {
  if (path.length < segments.length) return undefined
  const vars = new Map<string, string>()
  for (let i = 0; i < segments.length; i++) {
    const seg = segments[i] as Segment
    const elem = path[i] as string
    if (seg.type === 'exact' && seg.elem !== elem) return undefined
    if (seg.type === 'capture') {
      const m = seg.regex.exec(elem)
      if (m === null) return undefined
      seg.names.forEach((name, j) => vars.set(name, showBytes(m[j + 1] ?? '')))
    }
  }
  return vars
}

/** `template` with every `{name}` that `vars` holds replaced by its value (one pass). */
export function substituteVars(template: string, vars: ReadonlyMap<string, string>): string {
  return template.replace(CAPTURE, (whole, name: string) => vars.get(name) ?? whole)
}

/** The `{name}` variables a template uses, in order, without repeats. */
export function templateVars(template: string): string[] {
  return [...new Set([...template.matchAll(CAPTURE)].map((m) => m[1] as string))]
}
