/** The URLs of namerd's HTTP API (docs/namerd.md). */

/**
 * `<base>/api/1/<path>[?query]`: `base` may end with `/` and hold a path of its own (a proxy's
 * prefix); query values left undefined are omitted, and so is an empty `?`.
 */
export function apiUrl(
  base: string,
  path: string,
  query: Readonly<Record<string, string | undefined>> = {},
): string {
  const params = new URLSearchParams()
  for (const [k, v] of Object.entries(query)) if (v !== undefined) params.set(k, v)
  const qs = params.toString()
  const url = `${base.replace(/\/+$/, '')}/api/1/${path.replace(/^\/+/, '')}`
  return qs === '' ? url : `${url}?${qs}`
}
