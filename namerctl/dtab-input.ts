import {
  DtabParseError,
  readDtabJson,
  readNameTree,
  readPrefix,
  type Dtab,
  type NameTree,
  type Path,
  type Prefix,
} from '../dtabs/index.js'
import { errorMessage } from '../lib/errors.js'
import { InputError } from './errors.js'
import { parseDtabText, pointAt } from './input.js'

/** A dtab read from a file, with the version it names (JSON input only). */
export interface DtabInput {
  readonly dtab: Dtab
  /** The non-empty `version` of a `{"version","dtab"}` document. */
  readonly version?: string
}

/** True if the first non-whitespace character is `{` or `[`: the input is JSON, not dtab text. */
export function looksLikeJson(text: string): boolean {
  const first = text.trimStart().charAt(0)
  return first === '{' || first === '['
}

/**
 * `create`/`update`/`diff` input: `get --json`'s `{"version","dtab":[…]}`, namerd's bare
 * `[{"prefix","dst"}]` list, or dtab text. Checked completely here; errors name `source` and
 * the entry or the character (exit 1).
 */
export function parseDtabInput(text: string, source: string): DtabInput {
  if (!looksLikeJson(text)) return { dtab: parseDtabText(text, source) }
  let doc: unknown
  try {
    doc = JSON.parse(text)
  } catch (e) {
    throw new InputError(`${source}: not JSON: ${errorMessage(e)}`, { cause: e })
  }
  if (Array.isArray(doc)) return { dtab: entries(doc, source) }
  return versioned(doc as Record<string, unknown>, source)
}

function versioned(doc: Record<string, unknown>, source: string): DtabInput {
  const unknown = Object.keys(doc).filter((k) => k !== 'version' && k !== 'dtab')
  if (unknown.length > 0)
    throw new InputError(`${source}: unknown key(s) ${unknown.join(', ')} (expected version, dtab)`)
  const { version, dtab } = doc
  if (version !== undefined && version !== null && typeof version !== 'string')
    throw new InputError(`${source}: version: expected a string`)
  if (!Array.isArray(dtab)) throw new InputError(`${source}: dtab: expected a list of dentries`)
  const parsed = entries(dtab, source)
  return typeof version === 'string' && version !== ''
    ? { dtab: parsed, version }
    : { dtab: parsed }
}

function entries(list: unknown[], source: string): Dtab {
  try {
    return readDtabJson(JSON.stringify(list))
  } catch (e) {
    throw new InputError(`${source}: ${errorMessage(e)}`, { cause: e })
  }
}

/** A PREFIX argument (`/svc/users`, `/svc/*`); a syntax error points at the character. */
export function parsePrefixArg(text: string): Prefix {
  return parseArg(text, 'prefix', readPrefix)
}

/** A DST argument, a name tree (`90 * /srv/a & 10 * /srv/b`); errors point at the character. */
export function parseDstArg(text: string): NameTree<Path> {
  return parseArg(text, 'destination', readNameTree)
}

function parseArg<T>(text: string, what: string, read: (s: string) => T): T {
  try {
    return read(text)
  } catch (e) {
    if (!(e instanceof DtabParseError)) throw e
    throw new InputError(`invalid ${what}: ${pointAt(e)}`, { cause: e })
  }
}
