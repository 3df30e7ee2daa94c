/**
 * What namerd's page asks of namerd's API (served on the admin's own origin for it): the
 * namespaces, a dtab as text with its version, writes that say which version they replace,
 * the history. A token typed into the page is sent as a bearer token and kept in memory only.
 */
import { request, RequestError } from '../fetch.js'

let token = ''

/** The API token to send from now on ('' for none). */
export function useToken(t: string): void {
  token = t.trim()
}

function headers(extra: Record<string, string> = {}): Record<string, string> {
  return token === '' ? extra : { ...extra, authorization: `Bearer ${token}` }
}

const dtabUrl = (ns: string) => `/api/1/dtabs/${encodeURIComponent(ns)}`

/** The namespaces, sorted. */
export async function namespaces(): Promise<string[]> {
  const res = await request('/api/1/dtabs', { headers: headers() })
  return ((await res.json()) as string[]).sort()
}

/** A namespace's dtab as text and its version (the ETag a write must send back). */
export interface Stored {
  readonly text: string
  readonly version: string
}

export async function readDtab(ns: string): Promise<Stored> {
  const res = await request(dtabUrl(ns), { headers: headers({ accept: 'application/dtab' }) })
  return { text: await res.text(), version: res.headers.get('etag') ?? '' }
}

/** Saves `text` over `version` (412 when it changed meanwhile); `message` says why. */
export async function saveDtab(
  ns: string,
  text: string,
  version: string,
  message: string,
): Promise<void> {
  const q = message === '' ? '' : `?${new URLSearchParams({ message }).toString()}`
  await request(dtabUrl(ns) + q, {
    method: 'PUT',
    headers: headers({ 'content-type': 'application/dtab', 'if-match': version }),
    body: text,
  })
}

/** Creates a namespace (409 when it exists). */
export async function createDtab(ns: string, text: string): Promise<void> {
  await request(dtabUrl(ns), {
    method: 'POST',
    headers: headers({ 'content-type': 'application/dtab' }),
    body: text,
  })
}

/** One past value of a namespace (namerd's history, oldest first). */
export interface Past {
  readonly version: string
  readonly dtab: string | null
  readonly at: string
  readonly by?: string
  readonly message?: string
}

export async function history(ns: string): Promise<Past[]> {
  const res = await request(`${dtabUrl(ns)}/history`, { headers: headers() })
  return (await res.json()) as Past[]
}

/** Whether `e` is the API's refusal with `status`. */
export function refused(e: unknown, status: number): e is RequestError {
  return e instanceof RequestError && e.status === status
}
