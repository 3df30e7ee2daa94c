/**
 * Paths: finite sequences of non-empty byte strings (Finagle `Path`). An element is kept as a
 * JavaScript string of "binary" characters (each char code 0..255 is one byte), so element
 * equality is string equality and any byte, including `/` or invalid UTF-8, can be held.
 */
export type Path = readonly string[]

/** The empty (root) path, shown as `/`. */
export const ROOT: Path = Object.freeze([])

const SHOWABLE = new Uint8Array(256)
for (const c of '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_:.#$%-') {
  SHOWABLE[c.charCodeAt(0)] = 1
}

/** True for the 69 characters a path label may contain unescaped (`0-9A-Za-z_:.#$%-`). */
export function isShowable(code: number): boolean {
  return code < 256 && SHOWABLE[code] === 1
}

const HEX = '0123456789abcdef'

/** An element as shown: verbatim if every byte is showable, else every byte as `\xhh`. */
export function showElem(elem: string): string {
  for (let i = 0; i < elem.length; i++) {
    if (SHOWABLE[elem.charCodeAt(i)] !== 1) return escapeAll(elem)
  }
  return elem
}

function escapeAll(elem: string): string {
  let out = ''
  for (let i = 0; i < elem.length; i++) {
    const b = elem.charCodeAt(i)
    out += '\\x' + HEX.charAt(b >> 4) + HEX.charAt(b & 15)
  }
  return out
}

/** The canonical text of a path (`/` for the empty path); `readPath(showPath(p))` equals `p`. */
export function showPath(path: Path): string {
  if (path.length === 0) return '/'
  let out = ''
  for (const elem of path) out += '/' + showElem(elem)
  return out
}

/** True if `prefix` is an element-wise prefix of `path`. */
export function startsWith(path: Path, prefix: Path): boolean {
  if (prefix.length > path.length) return false
  for (let i = 0; i < prefix.length; i++) if (path[i] !== prefix[i]) return false
  return true
}

/** True if both paths have the same elements. */
export function pathEquals(a: Path, b: Path): boolean {
  return a.length === b.length && startsWith(a, b)
}

// TextEncoder and TextDecoder, not Node's Buffer: the core also runs in the admin pages.
const utf8Encoder = new TextEncoder()
/** Not fatal: a byte sequence that is not UTF-8 decodes to U+FFFD, as Buffer's does. */
const utf8Decoder = new TextDecoder('utf-8')

/** True when every character is ASCII (its UTF-8 bytes are its characters). */
function isAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0x7f) return false
  return true
}

/** An element from ordinary (UTF-16) text, encoded as UTF-8 bytes (a lone surrogate as U+FFFD). */
export function elemFromText(text: string): string {
  if (isAscii(text)) return text
  let out = ''
  for (const byte of utf8Encoder.encode(text)) out += String.fromCharCode(byte)
  return out
}

/** An element's bytes decoded as UTF-8 text (what namers see, e.g. `\x24` is `$`). */
export function elemToText(elem: string): string {
  if (isAscii(elem)) return elem
  const bytes = new Uint8Array(elem.length)
  for (let i = 0; i < elem.length; i++) bytes[i] = elem.charCodeAt(i) & 0xff
  return utf8Decoder.decode(bytes)
}

/** A path from text segments (each encoded as UTF-8); empty segments are not allowed. */
export function pathOf(...segments: string[]): Path {
  for (const s of segments) if (s === '') throw new RangeError('a path element cannot be empty')
  return segments.map(elemFromText)
}
