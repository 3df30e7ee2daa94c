/**
 * Element ↔ text helpers for namers. Finagle namers match paths with `Path.Utf8`, which decodes
 * every element as UTF-8 (invalid bytes become U+FFFD) and re-encodes the elements it builds.
 * These helpers do the same, but return ASCII input unchanged so the common case allocates
 * nothing.
 */
import { elemFromText, elemToText, type Path } from '../dtabs/path.js'

function isAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0x7f) return false
  return true
}

/** The UTF-8 text of an element (what `Path.Utf8` matches); ASCII elements come back as is. */
export function textOf(elem: string): string {
  return isAscii(elem) ? elem : elemToText(elem)
}

/** The element (UTF-8 bytes) of a text; ASCII text comes back as is. */
export function elemOf(text: string): string {
  return isAscii(text) ? text : elemFromText(text)
}

/**
 * The path as Finagle's `Path.Utf8(elems: _*)` rebuilds it after `Path.Utf8` decoded it:
 * invalid UTF-8 in an element becomes U+FFFD. Returns `path` itself when nothing changes.
 */
export function recodePath(path: Path): Path {
  let out: string[] | undefined
  for (let i = 0; i < path.length; i++) {
    const elem = path[i] as string
    if (isAscii(elem)) continue
    const recoded = elemFromText(elemToText(elem))
    if (recoded === elem) continue
    out ??= path.slice()
    out[i] = recoded
  }
  return out ?? path
}
