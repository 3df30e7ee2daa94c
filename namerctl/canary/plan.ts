/**
 * A shift's plan, checked before anything is read or written: the weights DST goes through
 * (percent, increasing, the last 100 unless the shift is meant to stop short) and the interval
 * each step is watched for before the next.
 */
import { readNameTree, showPathTree, type NameTree, type Path } from '../../dtabs/index.js'
import { UsageError } from '../errors.js'

/** linkerd-style canary steps when `--steps` is not given. */
export const DEFAULT_STEPS: readonly number[] = [1, 5, 25, 50, 100]

/** `--interval` when not given. */
export const DEFAULT_INTERVAL_MS = 30_000

/**
 * `1,5,25,50,100`: increasing percentages ending at 100 (a shift ends with all of PREFIX on DST),
 * with at least one step below it to judge.
 */
export function parseSteps(text: string): number[] {
  const steps = text.split(',').map((s) => Number(s.trim()))
  // Steps that would round to 0 or 100 in the dtab (4 decimals) are refused with the rest.
  const inRange = (s: number) => s >= 0.0001 && (s <= 99.9999 || s === 100)
  const ok = steps.every((s, i) => inRange(s) && (i === 0 || s > (steps[i - 1] as number)))
  if (!ok || steps.length < 2 || steps.at(-1) !== 100)
    throw new UsageError(
      `--steps ${text}: expected increasing percentages ending at 100, at least one below it, e.g. 1,5,25,50,100`,
    )
  return steps
}

/** `30s`, `500ms`, `2m`, or plain milliseconds; between 100 ms and one day. */
export function parseInterval(text: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(text.trim())
  const unit = m?.[2] === 's' ? 1000 : m?.[2] === 'm' ? 60_000 : 1
  const ms = m === null ? NaN : Number(m[1]) * unit
  if (!(ms >= 100 && ms <= 86_400_000))
    throw new UsageError(`--interval ${text}: expected a duration from 100ms to 24h, e.g. 30s`)
  return Math.round(ms)
}

/**
 * The destination at `weight` percent of `to`: `from` alone at 0, `to` alone at 100, else
 * `(100 - w) * from & w * to`.
 */
export function splitTree(from: NameTree<Path>, to: NameTree<Path>, weight: number): string {
  if (weight <= 0) return showPathTree(from)
  if (weight >= 100) return showPathTree(to)
  return `${trim(100 - weight)} * ${grouped(from)} & ${trim(weight)} * ${grouped(to)}`
}

function grouped(tree: NameTree<Path>): string {
  const shown = showPathTree(tree)
  return tree.type === 'leaf' ? shown : `(${shown})`
}

function trim(n: number): string {
  return String(Number(n.toFixed(4)))
}

/** A destination argument (`--to`, `--from`) parsed as a name tree, its syntax errors pointed at. */
export function parseDestination(flag: string, text: string): NameTree<Path> {
  try {
    return readNameTree(text)
  } catch (e) {
    throw new UsageError(`${flag} ${text}: ${(e as Error).message}`)
  }
}
