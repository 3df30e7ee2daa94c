import { readDtabJson, type Dtab } from '../dtabs/index.js'
import { errorMessage } from '../lib/errors.js'
import { isSuccess, send, statusError, unexpected, type Namerd, type Reply } from './client.js'
import { UsageError } from './errors.js'

/** A dentry as namerd's JSON gives it: prefix and destination in show form. */
export interface DtabEntry {
  readonly prefix: string
  readonly dst: string
}

/** A stored dtab and its version (the `ETag`), as `get --json` prints it. */
export interface VersionedDtab {
  readonly version: string
  readonly dtab: readonly DtabEntry[]
}

const JSON_ACCEPT = { accept: 'application/json' }
const DTAB_TEXT = { 'content-type': 'application/dtab' }

/** The API path of dtab NAME (`dtabs/NAME`, the name checked and escaped). */
export function dtabPath(name: string): string {
  return `dtabs/${pathName(name)}`
}

/**
 * NAME as a URL path segment. `.`, `..` and the empty name would be resolved away by URL
 * normalisation and reach another route (`dtabs/.` is the list): refused here.
 */
function pathName(name: string): string {
  if (name === '' || name === '.' || name === '..')
    throw new UsageError(`invalid dtab name ${JSON.stringify(name)}`)
  return encodeURIComponent(name)
}

/** `GET /api/1/dtabs`: the namespace names. */
export async function listDtabs(namerd: Namerd): Promise<string[]> {
  const reply = await send(namerd, { path: 'dtabs', headers: JSON_ACCEPT })
  if (!isSuccess(reply)) throw statusError(reply)
  const names = jsonBody(reply)
  if (!Array.isArray(names) || !names.every((n) => typeof n === 'string'))
    throw unexpected(reply, 'expected a JSON list of names')
  return names
}

/** `GET /api/1/dtabs/NAME` as JSON with its `ETag`; `absent` for 404. */
export async function readDtab(namerd: Namerd, name: string): Promise<VersionedDtab | 'absent'> {
  const reply = await send(namerd, { path: dtabPath(name), headers: JSON_ACCEPT })
  if (reply.status === 404) return 'absent'
  if (!isSuccess(reply)) throw statusError(reply)
  return { version: reply.headers['etag'] ?? '', dtab: entriesOf(reply, jsonBody(reply)) }
}

/** `POST /api/1/dtabs/NAME` with dtab text; `exists` for 409. */
export async function createDtab(
  namerd: Namerd,
  name: string,
  text: string,
  message?: string,
): Promise<'created' | 'exists'> {
  const path = dtabPath(name)
  const req = { method: 'POST', path, query: { message }, headers: DTAB_TEXT, body: text } as const
  const reply = await send(namerd, req)
  if (reply.status === 409) return 'exists'
  if (!isSuccess(reply)) throw statusError(reply)
  return 'created'
}

/**
 * `PUT /api/1/dtabs/NAME` with dtab text, with `If-Match: version` when a version is given
 * (without one namerd creates or replaces). `absent` for 404, `changed` for 412. `message`
 * goes to the dtab's history (as for create and delete).
 */
export async function updateDtab(
  namerd: Namerd,
  name: string,
  text: string,
  version: string | undefined,
  message?: string,
): Promise<'updated' | 'absent' | 'changed'> {
  const headers = version === undefined ? DTAB_TEXT : { ...DTAB_TEXT, 'if-match': version }
  const path = dtabPath(name)
  const reply = await send(namerd, { method: 'PUT', path, query: { message }, headers, body: text })
  if (reply.status === 404) return 'absent'
  if (reply.status === 412) return 'changed'
  if (!isSuccess(reply)) throw statusError(reply)
  return 'updated'
}

/** `DELETE /api/1/dtabs/NAME`; `absent` for 404. */
export async function deleteDtab(
  namerd: Namerd,
  name: string,
  message?: string,
): Promise<'deleted' | 'absent'> {
  const reply = await send(namerd, { method: 'DELETE', path: dtabPath(name), query: { message } })
  if (reply.status === 404) return 'absent'
  if (!isSuccess(reply)) throw statusError(reply)
  return 'deleted'
}

/** `GET /api/1/{delegate,bind}/NAME?path=P[&dtab=D]`: namerd's JSON body, as text. */
export async function explain(
  namerd: Namerd,
  what: 'delegate' | 'bind',
  name: string,
  path: string,
  dtab: string | undefined,
): Promise<{ text: string; json: unknown }> {
  const req = { path: `${what}/${pathName(name)}`, query: { path, dtab } }
  const reply = await send(namerd, { ...req, headers: JSON_ACCEPT })
  if (!isSuccess(reply)) throw statusError(reply)
  return { text: reply.body, json: jsonBody(reply) }
}

/** namerd's dentries parsed with the dtab grammar (for edits and diffs). */
export function entriesToDtab(entries: readonly DtabEntry[]): Dtab {
  try {
    return readDtabJson(JSON.stringify(entries))
  } catch (e) {
    const reply = { status: 200, statusText: 'OK', headers: {}, body: '' }
    throw unexpected(reply, `namerd sent a dtab that does not parse: ${errorMessage(e)}`)
  }
}

/** `GET /api/1/dtabs/NAME/history`: past values, oldest first; `absent` for 404. */
export async function readHistory(namerd: Namerd, name: string): Promise<PastDtab[] | 'absent'> {
  const reply = await send(namerd, { path: `${dtabPath(name)}/history`, headers: JSON_ACCEPT })
  if (reply.status === 404) return 'absent'
  if (!isSuccess(reply)) throw statusError(reply)
  const body = jsonBody(reply)
  if (!Array.isArray(body) || !body.every(isPastDtab))
    throw unexpected(reply, 'expected a JSON list of {"version","dtab","at"}')
  return body
}

/** One past value of a dtab, as namerd's history gives it. */
export interface PastDtab {
  readonly version: string
  /** Dtab text; null: the dtab was deleted. */
  readonly dtab: string | null
  /** ISO 8601 time of the change. */
  readonly at: string
  readonly by?: string
  readonly message?: string
}

function isPastDtab(e: unknown): e is PastDtab {
  if (typeof e !== 'object' || e === null) return false
  const p = e as Record<string, unknown>
  const optional = (v: unknown) => v === undefined || typeof v === 'string'
  return (
    typeof p.version === 'string' &&
    (p.dtab === null || typeof p.dtab === 'string') &&
    typeof p.at === 'string' &&
    optional(p.by) &&
    optional(p.message)
  )
}

/** A reply's body parsed as JSON (an unexpected response if it is not). */
export function jsonBody(reply: Reply): unknown {
  try {
    return JSON.parse(reply.body)
  } catch {
    throw unexpected(reply, 'the body is not JSON')
  }
}

/** Checks namerd's `[{"prefix","dst"}]` shape (a bad one is an unexpected response). */
export function entriesOf(reply: Reply, body: unknown): DtabEntry[] {
  const ok = (e: unknown): e is DtabEntry =>
    typeof e === 'object' &&
    e !== null &&
    typeof (e as DtabEntry).prefix === 'string' &&
    typeof (e as DtabEntry).dst === 'string'
  if (!Array.isArray(body) || !body.every(ok))
    throw unexpected(reply, 'expected a JSON list of {"prefix","dst"}')
  return body.map((e) => ({ prefix: e.prefix, dst: e.dst }))
}
