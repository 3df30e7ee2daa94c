/** `watch` as linkerd reads it: `1`, `t`, `true` (any case) mean true; anything else false. */
export function isWatch(query: Readonly<Record<string, string | undefined>>): boolean {
  const v = query.watch?.toLowerCase()
  return v === '1' || v === 't' || v === 'true'
}
