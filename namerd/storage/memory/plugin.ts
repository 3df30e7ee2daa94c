/**
 * `io.l5d.inMemory`: dtabs held by this process, lost on restart; for tests and demos.
 *
 *   storage:
 *     kind: io.l5d.inMemory
 *     namespaces:
 *       default: /svc => /#/io.l5d.fs
 */
import { ConfigError, Section } from '../../../lib/config/section.js'
import { readDtab, showDtab } from '../../../dtabs/index.js'
import { validNamespace } from '../errors.js'
import type { StoragePlugin } from '../index.js'
import { MemoryBackend } from './backend.js'

export const memoryStorage: StoragePlugin = {
  kind: 'io.l5d.inMemory',
  parse(s) {
    const preload = new Map<string, string>()
    const section = s.section('namespaces')
    for (const ns of Object.keys(section === undefined ? {} : (s.raw('namespaces') as object))) {
      const at = (section as Section).where(ns)
      if (!validNamespace(ns))
        throw new ConfigError(at, `invalid namespace name ${JSON.stringify(ns)}`)
      preload.set(ns, showDtab((section as Section).value(ns, readDtab)))
    }
    section?.done()
    return (deps) => new MemoryBackend(preload, deps.historySize)
  },
}
