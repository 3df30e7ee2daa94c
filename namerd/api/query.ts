/** A query string as fastify parses it: a repeated parameter is a list. */
export type Query = Readonly<Record<string, string | string[] | undefined>>

/** The value of `name`: the last one if it is repeated (as most servers read it). */
export function param(query: Query, name: string): string | undefined {
  const v = query[name]
  return Array.isArray(v) ? v.at(-1) : v
}

/** `watch` as linkerd reads it: `1`, `t`, `true` (any case) mean true; anything else false. */
export function isWatch(query: Query): boolean {
  const v = param(query, 'watch')?.toLowerCase()
  return v === '1' || v === 't' || v === 'true'
}
