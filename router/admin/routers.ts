import { readDtab, readPath, showDtab } from '../../dtabs/index.js'
import { errorMessage } from '../../lib/errors.js'
import type { Interpreter } from '../model.js'
import { namerdDtabOf, type NamerdInterpreterState } from '../interpreters/namerd-http/state.js'
import type { Running } from '../start.js'
import type { AdminRouter } from './delegator.js'

/** What the admin server shows and calls of each running router, in config order. */
export function adminRouters(running: Running): AdminRouter[] {
  return running.routers.map(({ router, interpreter, config }) => ({
    label: router.label,
    delegate: (dtab: string, path: string) => delegateFor(interpreter, dtab, path),
    interpreterState: () => interpreter.state?.(),
    clientState: () => router.clientHealth(),
    dtab: () => showDtab(config.dtab),
    namerdDtab: async () => {
      const s = interpreter.state?.()
      if (s?.kind !== 'io.l5d.namerd.http') return undefined
      const version = await interpreter.dtabVersion?.()
      const shown = namerdDtabOf(s as NamerdInterpreterState)
      return version === undefined ? shown : { ...shown, version }
    },
  }))
}

/** `/delegator.json`'s answer: 400 for a dtab or path that does not parse, else the tree. */
async function delegateFor(
  interpreter: Interpreter,
  dtab: string,
  path: string,
): Promise<{ status: number; body: unknown }> {
  let local
  let p
  try {
    local = readDtab(dtab)
  } catch (e) {
    return { status: 400, body: `Invalid dtab: ${errorMessage(e)}` }
  }
  try {
    p = readPath(path)
  } catch (e) {
    return { status: 400, body: `Invalid path: ${errorMessage(e)}` }
  }
  return { status: 200, body: await interpreter.delegate(local, p) }
}
