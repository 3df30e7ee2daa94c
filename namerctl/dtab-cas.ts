import { showPathTree, showPrefix, type Dentry, type Dtab } from '../dtabs/index.js'
import type { Namerd } from './client.js'
import { createDtab, entriesToDtab, readDtab, updateDtab } from './dtab-api.js'
import { formatDtab, type Output } from './dtab-offline.js'
import { parseDstArg, parsePrefixArg } from './dtab-input.js'
import { done, dtabNotFound } from './dtab-online.js'
import { removePrefix, setDentry } from './edit.js'
import { NamerdError } from './errors.js'
import { dryRunOutput } from './dry-run.js'

/** How many read-modify-write rounds `set` and `rm-entry` try before giving up (exit 7). */
export const MAX_ATTEMPTS = 5

/** An edit of the stored dtab (it may throw: rm-entry of a prefix that is not there). */
type Edit = (dtab: Dtab) => Dtab

/**
 * Read NAME with its version, edit it, write it with `If-Match`; on a version conflict (or a
 * create that lost a race) read again, up to `MAX_ATTEMPTS` rounds. A missing dtab is not
 * found, unless `initial` is given: then it is created with that content.
 */
async function compareAndSwap(
  namerd: Namerd,
  name: string,
  edit: Edit,
  initial: Dtab | undefined,
  message: string | undefined,
): Promise<void> {
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    const cur = await readDtab(namerd, name)
    if (cur === 'absent') {
      if (initial === undefined) throw dtabNotFound(name)
      if ((await createDtab(namerd, name, formatDtab(initial), message)) === 'created') return
      continue
    }
    const next = edit(entriesToDtab(cur.dtab))
    const out = await updateDtab(namerd, name, formatDtab(next), cur.version, message)
    if (out === 'updated') return
  }
  throw new NamerdError(
    'ERR_VERSION_CONFLICT',
    `dtab ${name} kept changing; gave up after ${MAX_ATTEMPTS} attempts`,
  )
}

/** `dtab set NAME PREFIX DST [--create]`: one dentry, set by compare-and-swap. */
export async function setCommand(
  namerd: Namerd,
  name: string,
  prefixArg: string,
  dstArg: string,
  opts: { create?: boolean; dryRun?: boolean; json?: boolean; message?: string },
): Promise<Output> {
  const dentry: Dentry = { prefix: parsePrefixArg(prefixArg), dst: parseDstArg(dstArg) }
  const initial = opts.create === true ? [dentry] : undefined
  if (opts.dryRun === true) return setDryRun(namerd, name, dentry, initial, opts.json === true)
  await compareAndSwap(namerd, name, (d) => setDentry(d, dentry), initial, opts.message)
  const prefix = showPrefix(dentry.prefix)
  const dst = showPathTree(dentry.dst)
  const json = { name, action: 'updated', dentry: { prefix, dst } }
  return done(`Updated ${name}: ${prefix} => ${dst}`, opts.json === true ? json : undefined)
}

/**
 * `set --dry-run`: the edit made locally on the current dtab (or the dtab `--create` would
 * make), then its diff and what it would do to the live names; nothing written.
 */
async function setDryRun(
  namerd: Namerd,
  name: string,
  dentry: Dentry,
  initial: Dtab | undefined,
  json: boolean,
): Promise<Output> {
  const cur = await readDtab(namerd, name)
  if (cur === 'absent' && initial === undefined) throw dtabNotFound(name)
  if (cur === 'absent')
    return dryRunOutput(namerd, name, { version: '', dtab: [] }, initial ?? [], json)
  return dryRunOutput(namerd, name, cur, setDentry(entriesToDtab(cur.dtab), dentry), json)
}

/** `dtab rm-entry NAME PREFIX`: every dentry with that prefix removed, by compare-and-swap. */
export async function rmEntryCommand(
  namerd: Namerd,
  name: string,
  prefixArg: string,
  opts: { json?: boolean; message?: string },
): Promise<Output> {
  const prefix = parsePrefixArg(prefixArg)
  const shown = showPrefix(prefix)
  const remove = (d: Dtab): Dtab => {
    const kept = removePrefix(d, prefix)
    if (kept !== undefined) return kept
    throw new NamerdError('ERR_NOT_FOUND', `no dentry with prefix ${shown} in dtab ${name}`)
  }
  await compareAndSwap(namerd, name, remove, undefined, opts.message)
  const json = { name, action: 'updated', removed: shown }
  return done(`Updated ${name}: removed ${shown}`, opts.json === true ? json : undefined)
}
