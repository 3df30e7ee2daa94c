import type { Namerd } from './client.js'
import { createDtab, deleteDtab, listDtabs, readDtab, type VersionedDtab } from './dtab-api.js'
import { formatDtab, type Output } from './dtab-offline.js'
import { parseDtabInput, type DtabInput } from './dtab-input.js'
import { NamerdError } from './errors.js'
import { readInput } from './input.js'
import { oneLineDtab, prettyDtab, versionedJson } from './pretty.js'

/** `dtab NAME not found` (exit 4). */
export function dtabNotFound(name: string): NamerdError {
  return new NamerdError('ERR_NOT_FOUND', `dtab ${name} not found`)
}

/** What create, update, delete, set and rm-entry print: a sentence, or one JSON line. */
export function done(text: string, json: object | undefined): Output {
  return { stdout: json === undefined ? `${text}\n` : `${JSON.stringify(json)}\n` }
}

/** Reads FILE (or stdin for `-`) as JSON or dtab text, checked completely before any request. */
export function readDtabFile(file: string): DtabInput {
  return parseDtabInput(readInput(file), file === '-' ? '<stdin>' : file)
}

/** `dtab list`: one name per line, or the JSON list. */
export async function listCommand(namerd: Namerd, opts: { json?: boolean }): Promise<Output> {
  const names = await listDtabs(namerd)
  if (opts.json === true) return { stdout: JSON.stringify(names) + '\n' }
  return { stdout: names.map((n) => `${n}\n`).join('') }
}

/** The stored dtab, or `dtab NAME not found` (exit 4). */
export async function mustRead(namerd: Namerd, name: string): Promise<VersionedDtab> {
  const cur = await readDtab(namerd, name)
  if (cur === 'absent') throw dtabNotFound(name)
  return cur
}

/** `dtab get NAME`: pretty (linkerd's aligned form), one line (`--no-pretty`), or JSON. */
export async function getCommand(
  namerd: Namerd,
  name: string,
  opts: { json?: boolean; pretty: boolean },
): Promise<Output> {
  const cur = await mustRead(namerd, name)
  if (opts.json === true) return { stdout: versionedJson(cur) }
  return { stdout: opts.pretty ? prettyDtab(cur) : oneLineDtab(cur.dtab) }
}

/** `dtab create NAME FILE`: checked locally, sent as canonical dtab text. */
export async function createCommand(
  namerd: Namerd,
  name: string,
  file: string,
  opts: { json?: boolean; message?: string },
): Promise<Output> {
  const input = readDtabFile(file)
  if ((await createDtab(namerd, name, formatDtab(input.dtab), opts.message)) === 'exists')
    throw new NamerdError('ERR_ALREADY_EXISTS', `dtab ${name} already exists`)
  return done(`Created ${name}`, opts.json === true ? { name, action: 'created' } : undefined)
}

/** `dtab delete NAME`. */
export async function deleteCommand(
  namerd: Namerd,
  name: string,
  opts: { json?: boolean; message?: string },
): Promise<Output> {
  if ((await deleteDtab(namerd, name, opts.message)) === 'absent') throw dtabNotFound(name)
  return done(`Deleted ${name}`, opts.json === true ? { name, action: 'deleted' } : undefined)
}
