/**
 * The two ways an identifier fails, as linkerd distinguishes them, plus the small helpers every
 * kind shares. linkerd's `UnidentifiedRequest` lets a list of identifiers go on to the next one;
 * an exception (a bad `l5d-name` path, `//` in a path) stops the list and fails the request
 * (`RoutingFactory.Identifier.compose` only continues past `UnidentifiedRequest`).
 */
import { elemFromText, type Path } from '../../dtabs/path.js'
import type { Identified } from '../model.js'

/** A failure where linkerd threw: identification of this request ends here. */
export interface Malformed {
  readonly ok: false
  readonly reason: string
  readonly malformed: true
}

/** A plain "could not identify" outcome; the next identifier of a list is tried. Frozen. */
export function unidentified(reason: string): Identified {
  return Object.freeze({ ok: false, reason })
}

/** A failure that stops a list of identifiers (linkerd raised an exception here). */
export function malformed(reason: string): Malformed {
  return { ok: false, reason, malformed: true }
}

/** True if `result` stops a list of identifiers: a success, or a `malformed` failure. */
export function isFinal(result: Identified): boolean {
  return result.ok || 'malformed' in result
}

/**
 * A path element from request text, as linkerd's `Path.Utf8` makes it: the UTF-8 bytes of the
 * string. ASCII text is returned as is, without allocating.
 */
export function textElem(text: string): string {
  for (let i = 0; i < text.length; i++) {
    if (text.charCodeAt(i) > 0x7f) return elemFromText(text)
  }
  return text
}

/** `prefix ++ elems` as a fresh path. */
export function concat(prefix: Path, elems: Path): Path {
  return elems.length === 0 ? prefix : prefix.concat(elems)
}
