import { readFileSync } from 'node:fs'
import { errorMessage } from '../lib/errors.js'
import { DtabParseError, readDtab, readPath, type Dtab, type Path } from '../dtabs/index.js'
import { InputError } from './errors.js'

/** The text of FILE, or of standard input for `-`. */
export function readInput(file: string): string {
  try {
    return readFileSync(file === '-' ? 0 : file, 'utf8')
  } catch (e) {
    throw new InputError(
      `cannot read ${file === '-' ? 'standard input' : file}: ${errorMessage(e)}`,
    )
  }
}

/** Parses dtab text named `source`; a syntax error says where, in the file's terms. */
export function parseDtabText(text: string, source: string): Dtab {
  try {
    return readDtab(text)
  } catch (e) {
    if (!(e instanceof DtabParseError)) throw e
    throw new InputError(`${source}:${e.line}:${e.column}: invalid dtab: ${pointAt(e)}`, {
      cause: e,
    })
  }
}

/** Parses a path argument. */
export function parsePathArg(text: string): Path {
  try {
    return readPath(text)
  } catch (e) {
    throw new InputError(`invalid path ${JSON.stringify(text)}: ${errorMessage(e)}`, { cause: e })
  }
}

/**
 * The parse error's first clause and the offending line with a caret under the character:
 * `'>' expected but ' ' found` / `  /svc/users = > /srv;` / `              ^`.
 */
export function pointAt(e: DtabParseError): string {
  const lineText = e.input.split('\n')[e.line - 1] ?? ''
  const what = `${e.expected} expected but ${e.found} found`
  const caretAt = [...lineText.slice(0, e.column - 1)].length
  return `${what}\n  ${lineText}\n  ${' '.repeat(caretAt)}^`
}
