/**
 * `dtab shift --dry-run`: the walk it would make (each step's destination) and, from namerd's
 * dry run against the names routers use now, what its first step would move. Nothing is
 * written, no figure is read.
 */
import { readPrefix } from '../../dtabs/index.js'
import type { Namerd } from '../client.js'
import { entriesToDtab } from '../dtab-api.js'
import type { Output } from '../dtab-offline.js'
import { dryRunOutput } from '../dry-run.js'
import { setDentry } from '../edit.js'
import { parseDestination, splitTree } from './plan.js'
import { started, type ShiftRequest } from './shift.js'

/** The plan, then the first step's dry run (text), or both in one JSON object. */
export async function shiftDryRun(
  namerd: Namerd,
  name: string,
  req: ShiftRequest,
  json: boolean,
): Promise<Output> {
  const { state, cur } = await started(namerd, name, req)
  const from = parseDestination('--from', state.from)
  const to = parseDestination('--to', state.to)
  const plan = state.steps.map((weight, i) => ({
    step: i + 1,
    weight,
    dst: splitTree(from, to, weight),
  }))
  const dst = parseDestination('step', plan[0]?.dst ?? state.to)
  const first = setDentry(entriesToDtab(cur.dtab), { prefix: readPrefix(state.prefix), dst })
  const live = await dryRunOutput(namerd, name, cur, first, json)
  if (json) return { stdout: `{"plan":${JSON.stringify(plan)},"first":${live.stdout.trimEnd()}}\n` }
  const lines = plan.map((p) => `step ${p.step}: ${state.prefix} => ${p.dst}\n`)
  return { stdout: `${lines.join('')}\nThe first step:\n${live.stdout}` }
}
