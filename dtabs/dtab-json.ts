import { CodedError, errorMessage } from '../lib/errors.js'
import type { Dentry, Dtab } from './dtab.js'
import { readNameTree, readPrefix } from './parse.js'

/** A dtab in namerd's JSON form that is not valid JSON or not a list of dentries. */
export class DtabJsonError extends CodedError {
  readonly code = 'ERR_DTAB_JSON'
}

/**
 * Reads namerd's JSON dtab encoding, `[{"prefix": "/svc", "dst": "/#/io.l5d.fs"}, …]`; each
 * prefix and dst is parsed with the dtab grammar. Errors name the entry:
 * `dtab[2].dst: … expected but … found at line 1, column 4`.
 */
export function readDtabJson(text: string): Dtab {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (e) {
    throw new DtabJsonError(`dtab: not JSON: ${errorMessage(e)}`, { cause: e })
  }
  if (!Array.isArray(value)) throw new DtabJsonError('dtab: expected a JSON list of dentries')
  return value.map((entry, i) => readEntry(entry, `dtab[${i}]`))
}

function readEntry(entry: unknown, at: string): Dentry {
  if (entry === null || typeof entry !== 'object' || Array.isArray(entry))
    throw new DtabJsonError(`${at}: expected an object with "prefix" and "dst"`)
  const { prefix, dst, ...rest } = entry as Record<string, unknown>
  const extra = Object.keys(rest)
  if (extra.length > 0) throw new DtabJsonError(`${at}: unknown key(s): ${extra.join(', ')}`)
  return {
    prefix: field(prefix, `${at}.prefix`, readPrefix),
    dst: field(dst, `${at}.dst`, readNameTree),
  }
}

function field<T>(v: unknown, at: string, read: (s: string) => T): T {
  if (typeof v !== 'string') throw new DtabJsonError(`${at}: expected a string`)
  try {
    return read(v)
  } catch (e) {
    throw new DtabJsonError(`${at}: ${errorMessage(e)}`, { cause: e })
  }
}
