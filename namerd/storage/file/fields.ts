/** Field readers shared by the data file's sections (format.ts, history.ts). */

const MAX = 2n ** 63n - 1n

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

/** A 64-bit counter, kept as a decimal string; anything else is `bad(…)`, thrown. */
export function counter(v: unknown, at: string, bad: (detail: string) => Error): bigint {
  if (typeof v !== 'string' || !/^[0-9]{1,19}$/.test(v) || BigInt(v) > MAX) {
    throw bad(`${at} is not a counter (a decimal string): ${JSON.stringify(v)}`)
  }
  return BigInt(v)
}
