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
export function delegateOnline(
  namerd: Namerd,
  name: string,
  pathArg: string,
  opts: OnlineResolveOptions,
): Promise<Output> {
  return explainOnline(namerd, 'delegate', name, pathArg, opts, (json) =>
    renderDelegateTree(delegateTreeFromJson(json)),
  )
}

/** `dtab bind [NAME] PATH`: namerd's `/api/1/bind` body, or it rendered as offline. */
export function bindOnline(
  namerd: Namerd,
  name: string,
  pathArg: string,
  opts: OnlineResolveOptions,
): Promise<Output> {
  return explainOnline(namerd, 'bind', name, pathArg, opts, (json) => [
    pathArg.trim(),
    ...renderBoundTree(boundTreeFromJson(json), '  '),
  ])
}

/** Asks namerd to explain PATH; prints its body as is with `--json`, else `render`'s lines. */
async function explainOnline(
  namerd: Namerd,
  what: 'delegate' | 'bind',
  name: string,
  pathArg: string,
  opts: OnlineResolveOptions,
  render: (json: unknown) => string[],
): Promise<Output> {
  const q = query(pathArg, opts)
  const answer = await explain(namerd, what, name, q.path, q.dtab)
  if (opts.json === true) return asIs(answer.text)
  return { stdout: render(answer.json).join('\n') + '\n' }
}
