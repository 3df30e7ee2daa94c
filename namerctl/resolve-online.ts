import { showDtab, showPath } from '../dtabs/index.js'
import type { Namerd } from './client.js'
import { explain } from './dtab-api.js'
import type { Output } from './dtab-offline.js'
import { parseDtabText, parsePathArg } from './input.js'
import { renderBoundTree, renderDelegateTree } from './render.js'
import { boundTreeFromJson, delegateTreeFromJson } from './tree-json.js'

/** The namespace `delegate` and `bind` use when none is given. */
export const DEFAULT_NAMESPACE = 'default'

export interface OnlineResolveOptions {
  /** A dtab to add for this request only (`&dtab=`, like an `l5d-dtab` header). */
  dtab?: string
  json?: boolean
}

/** PATH and `--dtab` checked locally (exit 1, nothing sent), in canonical form. */
function query(pathArg: string, opts: OnlineResolveOptions): { path: string; dtab?: string } {
  const path = showPath(parsePathArg(pathArg))
  if (opts.dtab === undefined || opts.dtab.trim() === '') return { path }
  return { path, dtab: showDtab(parseDtabText(opts.dtab, '--dtab')) }
}

function asIs(body: string): Output {
  return { stdout: body.endsWith('\n') ? body : `${body}\n` }
}

/** `dtab delegate [NAME] PATH`: namerd's `/api/1/delegate` body, or it rendered as offline. */
export async function delegateOnline(
  namerd: Namerd,
  name: string,
  pathArg: string,
  opts: OnlineResolveOptions,
): Promise<Output> {
  const q = query(pathArg, opts)
  const answer = await explain(namerd, 'delegate', name, q.path, q.dtab)
  if (opts.json === true) return asIs(answer.text)
  return { stdout: renderDelegateTree(delegateTreeFromJson(answer.json)).join('\n') + '\n' }
}

/** `dtab bind [NAME] PATH`: namerd's `/api/1/bind` body, or it rendered as offline. */
export async function bindOnline(
  namerd: Namerd,
  name: string,
  pathArg: string,
  opts: OnlineResolveOptions,
): Promise<Output> {
  const q = query(pathArg, opts)
  const answer = await explain(namerd, 'bind', name, q.path, q.dtab)
  if (opts.json === true) return asIs(answer.text)
  const lines = renderBoundTree(boundTreeFromJson(answer.json), '  ')
  return { stdout: [pathArg.trim(), ...lines].join('\n') + '\n' }
}
