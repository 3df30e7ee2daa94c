/**
 * `io.l5d.fs`: like `default`, but the base dtab is read from `dtabFile` and follows its edits
 * (the router's own `dtab` is appended, so it takes precedence). A relative path is relative to
 * the working directory. An edit that does not parse keeps the last good dtab and is logged.
 *
 *   interpreter:
 *     kind: io.l5d.fs
 *     dtabFile: examples/dtabs/canary.dtab
 */
import { ConfigError } from '../../lib/config/section.js'
import { DtabFile } from './dtab-file.js'
import { dtabOptions } from './default.js'
import { DtabInterpreter } from '../../dtabs/interpreter.js'
import type { InterpreterPlugin } from './index.js'

export const fsInterpreter: InterpreterPlugin = {
  kind: 'io.l5d.fs',
  parse(s) {
    const file = s.string('dtabFile')
    if (file === '') throw new ConfigError(s.where('dtabFile'), 'must not be empty')
    return function makeFsInterpreter(env) {
      const dtabFile = new DtabFile({
        file,
        routerDtab: env.dtab,
        log: env.log ?? defaultLog,
        pollMs: env.dtabFilePollMs,
      })
      return new DtabInterpreter({
        base: dtabFile.state,
        onClose: () => dtabFile.close(),
        ...dtabOptions(env),
      })
    }
  },
}

function defaultLog(message: string): void {
  process.stderr.write(`${message}\n`)
}
