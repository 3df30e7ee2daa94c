/**
 * `io.l5d.file`: dtabs in one JSON file on this machine, kept across restarts (not in linkerd;
 * the embedded default of a single namerd). One namerd owns the file (a lock file says which).
 *
 *   storage:
 *     kind: io.l5d.file
 *     path: /var/lib/namerd/dtabs.json    # relative paths: against the working directory
 *     namespaces:                         # optional: written when the file does not exist yet
 *       default: /svc => /#/io.l5d.fs
 */
import { ConfigError, type Section } from '../../../lib/config/section.js'
import { readDtab, showDtab } from '../../../dtabs/index.js'
import { validNamespace } from '../errors.js'
import { openFileBackend } from './open.js'
import type { StoragePlugin } from '../index.js'

export const fileStorage: StoragePlugin = {
  kind: 'io.l5d.file',
  parse(s) {
    const path = s.string('path')
    if (path.trim() === '') throw new ConfigError(s.where('path'), 'must not be empty')
    const preload = readPreload(s)
    return (deps) =>
      openFileBackend({ path, preload, log: deps.log, historySize: deps.historySize })
  },
}

/** `namespaces`: namespace → dtab text, each checked and kept in `Dtab.show` form. */
function readPreload(s: Section): Map<string, string> {
  const preload = new Map<string, string>()
  const section = s.section('namespaces')
  if (section === undefined) return preload
  for (const ns of Object.keys(s.raw('namespaces') as object)) {
    if (!validNamespace(ns)) {
      throw new ConfigError(section.where(ns), `invalid namespace name ${JSON.stringify(ns)}`)
    }
    preload.set(ns, showDtab(section.value(ns, readDtab)))
  }
  section.done()
  return preload
}
