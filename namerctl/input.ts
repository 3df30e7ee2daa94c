import { readFileSync } from 'node:fs'
import { errorMessage } from '../lib/errors.js'
import { readDtab, readPath, type Dtab, type Path } from '../dtabs/index.js'
import { InputError } from './errors.js'

/** The text of FILE, or of standard input for `-`. */
export function readInput(file: string): string {
  try {
    return readFileSync(file === '-' ? 0 : file, 'utf8')
  } catch (e) {
    throw new InputError(`cannot read ${file === '-' ? 'standard input' : file}: ${errorMessage(e)}`)
  }
}

/** Parses dtab text named `source`; a syntax error says where, in the file's terms. */
export function parseDtabText(text: string, source: string): Dtab {
  try {
    return readDtab(text)
  } catch (e) {
    throw new InputError(`${source}: invalid dtab: ${errorMessage(e)}`, { cause: e })
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
