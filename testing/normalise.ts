import type { Json } from '../dtabs/json.js'

/**
 * namerd JSON made comparable: every `addrs` array sorted (they are sets) and exception
 * messages dropped (JVM text). For conformance runners.
 */
export function normalise(j: Json): Json {
  if (Array.isArray(j)) return j.map(normalise)
  if (j === null || typeof j !== 'object') return j
  const out: Record<string, Json> = {}
  for (const [k, v] of Object.entries(j)) {
    if (k === 'message' && j.type === 'exception') continue
    const n = normalise(v)
    out[k] =
      k === 'addrs' && Array.isArray(n)
        ? [...n].sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1))
        : n
  }
  return out
}
