/** How the pages write figures: short, fixed units, a dash when there is nothing to show. */

const NONE = '–'

/** Requests per second: `0`, `12.5`, `1,234`. */
export function rate(rps: number): string {
  return rps >= 100 ? Math.round(rps).toLocaleString('en') : String(Math.round(rps * 10) / 10)
}

/** A share in [0, 1] as a percentage, `99.95%`; a dash when null. */
export function percent(share: number | null): string {
  if (share === null) return NONE
  return `${Math.floor(share * 10_000) / 100}%`
}

/** Milliseconds: `0.25 ms`, `12 ms`, `1.5 s`; a dash when null. */
export function ms(v: number | null): string {
  if (v === null) return NONE
  if (v >= 1000) return `${Math.round(v / 100) / 10} s`
  return v >= 10 ? `${Math.round(v)} ms` : `${Math.round(v * 100) / 100} ms`
}

/** A time of day from an ISO time, `14:03:07`. */
export function clock(iso: string): string {
  const d = new Date(iso)
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleTimeString('en-GB')
}
