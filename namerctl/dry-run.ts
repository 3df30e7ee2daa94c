import type { Dtab } from '../dtabs/index.js'
import { isSuccess, send, statusError, unexpected, type Namerd, type Reply } from './client.js'
import { dtabPath, entriesToDtab, jsonBody, type VersionedDtab } from './dtab-api.js'
import { formatDtab, type Output } from './dtab-offline.js'
import { dentryLines, diffLines } from '../dtabs/diff.js'
import { renderDiff } from './diff.js'

/** A live name under one dtab, as namerd's dry run gives it (docs/namerd.md). */
interface DrySide {
  readonly split: Readonly<Record<string, number>>
  readonly state: 'bound' | 'neg' | 'fail' | 'pending'
  readonly error?: string
}

interface DryName {
  readonly path: string
  readonly before: DrySide
  readonly after: DrySide
  readonly changes: readonly string[]
}

/** namerd's answer to `POST /api/1/dtabs/NAME/dry-run`. */
export interface LiveReport {
  readonly version: string | null
  readonly live: number
  readonly untouched: number
  readonly names: readonly DryName[]
}

/**
 * What a dry run of replacing `from` with `to` prints: the dentry diff, then (text: after a
 * blank line) what it does to the names routers use now. `--json`: one object, `diff --json`'s
 * fields plus `live` (null when namerd has no dry-run API).
 */
export async function dryRunOutput(
  namerd: Namerd,
  name: string,
  from: VersionedDtab,
  to: Dtab,
  json: boolean,
): Promise<Output> {
  const changes = diffLines(dentryLines(entriesToDtab(from.dtab)), dentryLines(to))
  const live = await liveReport(namerd, name, to)
  if (json) return { stdout: `${JSON.stringify({ from: from.version, changes, live })}\n` }
  return { stdout: `${renderDiff(changes)}\n${renderLive(live)}` }
}

/** namerd's dry run of `to` for dtab NAME; null for a namerd without it (404 or 405). */
async function liveReport(namerd: Namerd, name: string, to: Dtab): Promise<LiveReport | null> {
  const headers = { 'content-type': 'application/dtab', accept: 'application/json' }
  const path = `${dtabPath(name)}/dry-run`
  const reply = await send(namerd, { method: 'POST', path, headers, body: formatDtab(to) })
  if (reply.status === 404 || reply.status === 405) return null
  if (!isSuccess(reply)) throw statusError(reply)
  return checked(reply, jsonBody(reply))
}

function checked(reply: Reply, body: unknown): LiveReport {
  const r = body as Partial<LiveReport> | null
  const ok =
    typeof r === 'object' &&
    r !== null &&
    typeof r.live === 'number' &&
    typeof r.untouched === 'number' &&
    Array.isArray(r.names) &&
    r.names.every(isDryName)
  if (!ok) throw unexpected(reply, 'expected {"version","live","untouched","names"}')
  return r as LiveReport
}

function isDryName(n: unknown): n is DryName {
  const d = n as Partial<DryName> | null
  const side = (s: unknown): boolean =>
    typeof s === 'object' && s !== null && typeof (s as DrySide).split === 'object'
  return (
    typeof d === 'object' &&
    d !== null &&
    typeof d.path === 'string' &&
    side(d.before) &&
    side(d.after) &&
    Array.isArray(d.changes)
  )
}

/** One line per affected name, then `N live names, K untouched`. */
export function renderLive(report: LiveReport | null): string {
  if (report === null) return 'live names: unknown (this namerd has no dry-run API)\n'
  const lines = report.names.map((n) => `${n.path}: ${describe(n)}\n`)
  const names = report.live === 1 ? 'live name' : 'live names'
  return `${lines.join('')}${report.live} ${names}, ${report.untouched} untouched\n`
}

function describe(n: DryName): string {
  const { after } = n
  if (after.state === 'neg') return 'stops resolving (neg)'
  if (after.state === 'fail') return `fails${after.error === undefined ? '' : `: ${after.error}`}`
  if (after.state === 'pending') return 'unknown: not bound in time (pending)'
  if (!n.changes.includes('split')) return 'endpoints change'
  const moves = splitMoves(n.before.split, after.split)
  return n.changes.includes('endpoints') ? moves : `${moves} (same endpoints)`
}

/** `id before% → after%` for each bound id whose share moves, by id. */
function splitMoves(before: DrySide['split'], after: DrySide['split']): string {
  const ids = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort()
  return ids
    .filter((id) => (before[id] ?? 0) !== (after[id] ?? 0))
    .map((id) => `${id} ${percent(before[id] ?? 0)} → ${percent(after[id] ?? 0)}`)
    .join(', ')
}

/** A share as a percentage with at most one decimal (`90%`, `12.5%`). */
export function percent(share: number): string {
  return `${Math.round(share * 1000) / 10}%`
}
