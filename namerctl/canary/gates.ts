/**
 * A shift's gates: what the canary's figures over an interval must show, alone or against the
 * baseline's, before the next step. Parsed once from `--gate` texts, judged as plain values.
 *
 *   requests >= N             no judgement before the canary has N requests in the interval
 *   success >= P%             the canary's success rate, an absolute floor
 *   success >= baseline - P%  no worse than the baseline's by more than P points
 *   p99 <= F * baseline       the canary's p99 latency at most F times the baseline's
 *   p99 <= N ms               an absolute ceiling
 */
import type { Figures } from './figures.js'
import { UsageError } from '../errors.js'

export type Gate =
  | { readonly kind: 'requests'; readonly min: number }
  | { readonly kind: 'success-floor'; readonly percent: number }
  | { readonly kind: 'success-margin'; readonly points: number }
  | { readonly kind: 'p99-factor'; readonly factor: number }
  | { readonly kind: 'p99-ceiling'; readonly ms: number }

/** Without `--gate`: 100 requests, within 0.5 points of the baseline, p99 at most 2 × its. */
export const DEFAULT_GATES: readonly Gate[] = [
  { kind: 'requests', min: 100 },
  { kind: 'success-margin', points: 0.5 },
  { kind: 'p99-factor', factor: 2 },
]

const NUM = '(\\d+(?:\\.\\d+)?)'
const FORMS: ReadonlyArray<readonly [RegExp, (n: number) => Gate]> = [
  [new RegExp(`^requests>=${NUM}$`), (min) => ({ kind: 'requests', min })],
  [new RegExp(`^success>=${NUM}%$`), (percent) => ({ kind: 'success-floor', percent })],
  [new RegExp(`^success>=baseline-${NUM}%$`), (points) => ({ kind: 'success-margin', points })],
  [new RegExp(`^p99<=${NUM}\\*baseline$`), (factor) => ({ kind: 'p99-factor', factor })],
  [new RegExp(`^p99<=${NUM}ms$`), (ms) => ({ kind: 'p99-ceiling', ms })],
]

/** One `--gate` text (spaces anywhere are ignored); a bad one is a UsageError naming the forms. */
export function parseGate(text: string): Gate {
  const compact = text.replace(/\s+/g, '').toLowerCase()
  for (const [form, make] of FORMS) {
    const m = form.exec(compact)
    if (m !== null) return checked(text, make(Number(m[1])))
  }
  throw new UsageError(
    `--gate ${JSON.stringify(text)}: expected one of "requests >= N", "success >= P%", ` +
      '"success >= baseline - P%", "p99 <= F * baseline", "p99 <= N ms"',
  )
}

function checked(text: string, g: Gate): Gate {
  const bad =
    (g.kind === 'requests' && (!Number.isInteger(g.min) || g.min < 1)) ||
    (g.kind === 'success-floor' && g.percent > 100) ||
    (g.kind === 'p99-factor' && g.factor < 1)
  if (bad) throw new UsageError(`--gate ${JSON.stringify(text)}: out of range`)
  return g
}

/** The gates of a shift: the defaults' request minimum unless one is given. */
export function gatesOf(texts: readonly string[] | undefined): Gate[] {
  if (texts === undefined || texts.length === 0) return [...DEFAULT_GATES]
  const gates = texts.map(parseGate)
  if (!gates.some((g) => g.kind === 'requests')) gates.unshift(DEFAULT_GATES[0] as Gate)
  return gates
}

/** How one interval was judged. */
export type Verdict =
  | { readonly type: 'pass' }
  | { readonly type: 'wait'; readonly reason: string }
  | { readonly type: 'fail'; readonly reason: string }

function sane(f: Figures): boolean {
  const count = (n: number) => Number.isFinite(n) && n >= 0
  const p99 = f.p99Ms === undefined || count(f.p99Ms)
  return count(f.requests) && count(f.failures) && f.failures <= f.requests && p99
}

/** Success rate in percent; 100 with no request (nothing failed). */
export function successRate(f: Figures): number {
  return f.requests === 0 ? 100 : (100 * (f.requests - f.failures)) / f.requests
}

/** Judges the canary against the baseline: `wait` until enough requests, then each gate. */
export function judge(gates: readonly Gate[], canary: Figures, baseline: Figures): Verdict {
  // Figures no router can report (a broken or hostile source) never pass a gate.
  if (!sane(canary) || !sane(baseline))
    return {
      type: 'fail',
      reason: 'the figures read are not counts (negative, infinite or missing)',
    }
  for (const g of gates) {
    if (g.kind === 'requests' && canary.requests < g.min)
      return { type: 'wait', reason: `${canary.requests} of ${g.min} requests on the canary` }
  }
  for (const g of gates) {
    const reason = failure(g, canary, baseline)
    if (reason !== undefined) return { type: 'fail', reason }
  }
  return { type: 'pass' }
}

function failure(g: Gate, canary: Figures, baseline: Figures): string | undefined {
  const c = successRate(canary)
  const b = successRate(baseline)
  switch (g.kind) {
    case 'requests':
      return undefined
    case 'success-floor':
      return c < g.percent ? `success ${pct(c)} is below ${pct(g.percent)}` : undefined
    case 'success-margin':
      return c < b - g.points
        ? `success ${pct(c)} is more than ${g.points} points below the baseline's ${pct(b)}`
        : undefined
    case 'p99-factor':
      return latencyOver(canary.p99Ms, baseline.p99Ms, g.factor)
    case 'p99-ceiling':
      return canary.p99Ms !== undefined && canary.p99Ms > g.ms
        ? `p99 ${ms(canary.p99Ms)} is over ${ms(g.ms)}`
        : undefined
  }
}

function latencyOver(c: number | undefined, b: number | undefined, factor: number) {
  // No baseline latency (it had no request): nothing to compare with.
  if (c === undefined || b === undefined || c <= factor * Math.max(b, 1)) return undefined
  return `p99 ${ms(c)} is over ${factor} × the baseline's ${ms(b)}`
}

/** A percentage with at most two decimals: `99.5%`, `100%`. */
export function pct(n: number): string {
  return `${Number(n.toFixed(2))}%`
}

function ms(n: number): string {
  return `${Number(n.toFixed(1))} ms`
}
