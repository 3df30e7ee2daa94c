/** What the pages ask their server, as JSON or text; a failure is an error saying what failed. */

/** A request failed: its status (0: no answer) and the server's text. */
export class RequestError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message)
  }
}

/** How long a page waits for its server before it says so (ms). */
export const REQUEST_TIMEOUT_MS = 10_000

/** The answer to `url` (a path of this server); throws a RequestError unless it is 2xx. */
export async function request(url: string, init: RequestInit = {}): Promise<Response> {
  let res: Response
  try {
    res = await fetch(url, { ...init, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) })
  } catch (e) {
    throw new RequestError(0, `no answer from the server (${(e as Error).message})`)
  }
  if (!res.ok) throw new RequestError(res.status, (await res.text()).trim() || res.statusText)
  return res
}

/** The JSON answer to `url`. */
export async function getJson<T>(url: string): Promise<T> {
  return (await (await request(url)).json()) as T
}

/** `path?k=v&…` with the entries that are not empty. */
export function withQuery(path: string, params: Readonly<Record<string, string | number>>): string {
  const q = new URLSearchParams()
  for (const [k, v] of Object.entries(params)) if (v !== '') q.set(k, String(v))
  const s = q.toString()
  return s === '' ? path : `${path}?${s}`
}
